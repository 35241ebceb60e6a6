package dev.atelier.engine.onnx.grounding;

import dev.atelier.engine.onnx.tokenizer.ClipTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Token ids and attention mask for a batch of phrases, padded to the longest phrase.
 *
 * <p>This is what {@code CLIPSegProcessor(text=phrases, padding=True)} gives: each phrase framed by
 * bos and eos (truncated to the tokenizer's maximum length), right-padded with the pad id to the
 * longest row, with mask 1 on real tokens and 0 on padding. Padding to the longest row rather than
 * to 77 matters: CLIP text models attend over the whole row unless masked, and the reference ran
 * with this padding.
 *
 * @param rows the number of phrases
 * @param length the padded row length
 * @param ids {@code rows * length} token ids, row-major
 * @param attentionMask {@code rows * length} ones and zeros
 */
public record TokenBatch(int rows, int length, long[] ids, long[] attentionMask) {

  /**
   * Validates the sizes.
   *
   * @throws IllegalArgumentException if rows or length is below 1 or an array has another length
   */
  public TokenBatch {
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(attentionMask, "attentionMask");
    if (rows < 1 || length < 1) {
      throw new IllegalArgumentException(
          "token batch must be at least 1x1 but was " + rows + "x" + length);
    }
    if (ids.length != rows * length || attentionMask.length != rows * length) {
      throw new IllegalArgumentException(
          "ids and attentionMask must hold %dx%d = %d values but hold %d and %d"
              .formatted(rows, length, rows * length, ids.length, attentionMask.length));
    }
  }

  /**
   * Tokenizes {@code phrases} as one batch.
   *
   * @param tokenizer the CLIP tokenizer
   * @param phrases at least one phrase
   * @return the padded batch
   * @throws IllegalArgumentException if {@code phrases} is empty
   */
  public static TokenBatch of(ClipTokenizer tokenizer, List<String> phrases) {
    if (phrases.isEmpty()) {
      throw new IllegalArgumentException("phrases must hold at least 1 phrase but was empty");
    }
    int[][] rows = new int[phrases.size()][];
    int length = 0;
    for (int i = 0; i < rows.length; i++) {
      rows[i] = tokenizer.encode(phrases.get(i));
      length = Math.max(length, rows[i].length);
    }
    long[] ids = new long[rows.length * length];
    long[] mask = new long[rows.length * length];
    Arrays.fill(ids, tokenizer.padId());
    for (int r = 0; r < rows.length; r++) {
      for (int t = 0; t < rows[r].length; t++) {
        ids[r * length + t] = rows[r][t];
        mask[r * length + t] = 1;
      }
    }
    return new TokenBatch(rows.length, length, ids, mask);
  }

  /** Row {@code r}'s ids. */
  public long[] idsOf(int r) {
    return Arrays.copyOfRange(ids, r * length, (r + 1) * length);
  }

  /** Row {@code r}'s attention mask. */
  public long[] maskOf(int r) {
    return Arrays.copyOfRange(attentionMask, r * length, (r + 1) * length);
  }
}
