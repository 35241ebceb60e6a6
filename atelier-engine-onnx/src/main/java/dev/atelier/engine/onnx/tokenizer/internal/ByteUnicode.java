package dev.atelier.engine.onnx.tokenizer.internal;

import java.nio.charset.StandardCharsets;

/**
 * The reversible byte to character table of byte-level BPE (GPT-2's {@code bytes_to_unicode}).
 *
 * <p>Vocabularies store every UTF-8 byte as a printable character so that merges never see
 * whitespace or control bytes: printable Latin-1 bytes stand for themselves and the remaining 68
 * bytes are moved to U+0100 onwards, in byte order.
 */
public final class ByteUnicode {
  private static final char[] BYTE_TO_CHAR = buildTable();

  private ByteUnicode() {}

  private static char[] buildTable() {
    char[] table = new char[256];
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      table[b] = (char) (printable ? b : next++);
    }
    return table;
  }

  /** The character standing for byte {@code b} (0-255). */
  public static char charOf(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** {@code text}'s UTF-8 bytes, each replaced by its table character. */
  public static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = charOf(bytes[i]);
    }
    return new String(out);
  }
}
