package dev.atelier.engine.onnx.tokenizer.internal;

/**
 * A token matched literally in the text before BPE (the special tokens, and any entry of {@code
 * added_tokens_decoder}).
 *
 * @param content the literal text
 * @param id its id
 * @param normalized true when it is matched in the normalised (NFC, lower-cased) text, false when
 *     in the text exactly as given
 */
public record AddedToken(String content, int id, boolean normalized) {
  /** Checks the content is not empty. */
  public AddedToken {
    if (content == null || content.isEmpty()) {
      throw new IllegalArgumentException("an added token needs non-empty content, found none");
    }
  }
}
