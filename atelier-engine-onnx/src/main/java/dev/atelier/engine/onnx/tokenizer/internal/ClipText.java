package dev.atelier.engine.onnx.tokenizer.internal;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's text normalisation and pre-split, as transformers 5's {@code CLIPTokenizer} configures its
 * backend: NFC, every whitespace run to one space, lower case, then the CLIP word regex.
 */
public final class ClipText {
  /*
   * The backend's regex engine treats \s as Unicode White_Space; Java only does so with
   * UNICODE_CHARACTER_CLASS, without which a no-break space would survive as a "symbol" word.
   */
  private static final Pattern WHITESPACE =
      Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  private static final Pattern WORDS =
      Pattern.compile(
          "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d"
              + "|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          Pattern.UNICODE_CHARACTER_CLASS);

  private ClipText() {}

  /** NFC, whitespace runs collapsed to one space, lower case. */
  public static String normalize(String text) {
    String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
    return lowercase(WHITESPACE.matcher(nfc).replaceAll(" "));
  }

  /**
   * Lower-cases one code point at a time, like Rust's {@code char::to_lowercase} used by the
   * backend: unlike {@link String#toLowerCase}, no context rule turns a final sigma into 'ς'.
   */
  static String lowercase(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            cp -> {
              if (cp == 0x130) {
                // The one unconditional multi-character lower-case mapping in SpecialCasing.txt.
                sb.append("i\u0307");
              } else {
                sb.appendCodePoint(Character.toLowerCase(cp));
              }
            });
    return sb.toString();
  }

  /** The CLIP words of already normalised text; whitespace between them is dropped. */
  public static List<String> words(String normalized) {
    List<String> words = new ArrayList<>();
    Matcher m = WORDS.matcher(normalized);
    while (m.find()) {
      words.add(m.group());
    }
    return words;
  }
}
