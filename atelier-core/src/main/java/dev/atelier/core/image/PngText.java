package dev.atelier.core.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * PNG text chunks: checks keywords for {@link PngWriter} and parses chunks straight from the bytes.
 *
 * <p>Reading walks the chunk list itself instead of asking ImageIO, for two reasons: ImageIO's
 * reader stops at the first {@code IDAT} and so misses text written after the pixels, and it
 * inflates {@code zTXt}/{@code iTXt} without a size cap, so a small file could expand to gigabytes.
 */
final class PngText {

  /** Inflated text beyond this many bytes in one chunk is refused as a decompression bomb. */
  static final int MAX_INFLATED_BYTES = 8 << 20;

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private PngText() {}

  /** Tells whether the bytes start with the PNG signature. */
  static boolean isPng(byte[] bytes) {
    if (bytes.length < SIGNATURE.length) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (bytes[i] != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads every {@code tEXt}, {@code zTXt} and {@code iTXt} chunk; a repeated keyword keeps its
   * last value.
   */
  static Map<String, String> read(byte[] png) {
    if (!isPng(png)) {
      throw new IllegalArgumentException("expected PNG data but the bytes lack the PNG signature");
    }
    Map<String, String> text = new LinkedHashMap<>();
    ByteBuffer buf = ByteBuffer.wrap(png);
    buf.position(SIGNATURE.length);
    while (buf.remaining() > 0) {
      if (buf.remaining() < 12) {
        throw new IllegalArgumentException(
            "PNG data is truncated: expected a chunk header but only "
                + buf.remaining()
                + " bytes remain");
      }
      int start = buf.position();
      long length = buf.getInt() & 0xffffffffL;
      String type = new String(png, start + 4, 4, StandardCharsets.ISO_8859_1);
      if (length > buf.remaining() - 8) {
        throw new IllegalArgumentException(
            "PNG data is truncated: chunk %s at offset %d claims %d bytes but only %d remain"
                .formatted(type, start, length, buf.remaining() - 8));
      }
      int dataStart = start + 8;
      int n = (int) length;
      CRC32 crc = new CRC32();
      crc.update(png, start + 4, n + 4);
      int stored = ByteBuffer.wrap(png, dataStart + n, 4).getInt();
      if ((int) crc.getValue() != stored) {
        throw new IllegalArgumentException(
            "PNG data is corrupt: chunk " + type + " at offset " + start + " fails its CRC check");
      }
      switch (type) {
        case "tEXt" -> putText(text, png, dataStart, n, false);
        case "zTXt" -> putText(text, png, dataStart, n, true);
        case "iTXt" -> putInternational(text, png, dataStart, n);
        case "IEND" -> {
          return text;
        }
        default -> {}
      }
      buf.position(dataStart + n + 4);
    }
    throw new IllegalArgumentException("PNG data is truncated: no IEND chunk");
  }

  private static void putText(
      Map<String, String> text, byte[] png, int off, int len, boolean compressed) {
    int nul = indexOfNul(png, off, off + len, "keyword");
    String key = new String(png, off, nul - off, StandardCharsets.ISO_8859_1);
    byte[] body;
    if (compressed) {
      // zTXt: one compression-method byte (0 = zlib) then the zlib stream.
      body = inflate(png, nul + 2, off + len - nul - 2, key);
    } else {
      body = Arrays.copyOfRange(png, nul + 1, off + len);
    }
    text.put(key, new String(body, StandardCharsets.ISO_8859_1));
  }

  private static void putInternational(Map<String, String> text, byte[] png, int off, int len) {
    int end = off + len;
    int nul = indexOfNul(png, off, end, "keyword");
    String key = new String(png, off, nul - off, StandardCharsets.ISO_8859_1);
    if (nul + 3 > end) {
      throw new IllegalArgumentException("PNG iTXt chunk '" + key + "' is truncated");
    }
    boolean compressed = png[nul + 1] != 0;
    int languageEnd = indexOfNul(png, nul + 3, end, "language tag");
    int translatedEnd = indexOfNul(png, languageEnd + 1, end, "translated keyword");
    int textStart = translatedEnd + 1;
    byte[] body =
        compressed
            ? inflate(png, textStart, end - textStart, key)
            : Arrays.copyOfRange(png, textStart, end);
    text.put(key, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] inflate(byte[] png, int off, int len, String key) {
    if (len < 0) {
      throw new IllegalArgumentException("PNG text chunk '" + key + "' is truncated");
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(png, off, len);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[8192];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalArgumentException(
              "PNG text chunk '" + key + "' is corrupt: its zlib stream ends early");
        }
        out.write(chunk, 0, n);
        if (out.size() > MAX_INFLATED_BYTES) {
          throw new IllegalArgumentException(
              "PNG text chunk '%s' inflates to more than %d bytes, the most allowed"
                  .formatted(key, MAX_INFLATED_BYTES));
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      throw new IllegalArgumentException(
          "PNG text chunk '" + key + "' is corrupt: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  private static int indexOfNul(byte[] png, int from, int to, String what) {
    for (int i = from; i < to; i++) {
      if (png[i] == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "PNG text chunk is corrupt: expected a NUL after its " + what + " but found none");
  }

  static String checkKeyword(String key) {
    boolean ok = !key.isEmpty() && key.length() <= 79 && isLatin1(key);
    for (int i = 0; ok && i < key.length(); i++) {
      char c = key.charAt(i);
      ok = (c >= 32 && c <= 126) || c >= 161;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "PNG text keyword must be 1 to 79 printable Latin-1 characters but was '" + key + "'");
    }
    return key;
  }

  static boolean isLatin1(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xff) {
        return false;
      }
    }
    return true;
  }
}
