package dev.atelier.core.image;

/**
 * Reads every size a WebP file states, straight from its RIFF chunks, so that all of them are
 * checked against {@link ImageLimits} before a decoder runs.
 *
 * <p>A WebP file can state sizes in several places: the {@code VP8X} canvas, the {@code VP8 }
 * (lossy) and {@code VP8L} (lossless) bitstream headers, and each animation frame ({@code ANMF})
 * with the bitstream nested inside it. Decoders size their buffers from the bitstream they are
 * decoding, not from the canvas, so a file whose small canvas wraps a 16383x16383 bitstream would
 * pass a canvas-only check ({@code ImageReader.getWidth} reports the canvas) and still make the
 * decoder allocate for the large one. Checking every stated size closes that gap for any plugin.
 *
 * <p>Chunks that run past the end of the data end the walk quietly: the decoder then reports the
 * truncation in its own words.
 */
final class WebpHeaders {

  private static final int MAX_CHUNKS = 10_000;

  private WebpHeaders() {}

  /**
   * Checks every size the file states.
   *
   * @param b bytes that start with {@code RIFF....WEBP}
   * @throws IllegalArgumentException if a stated size exceeds {@code limits}
   */
  static void check(byte[] b, ImageLimits limits) {
    walk(b, 12, b.length, limits, 0);
  }

  /**
   * The size the file states first: the {@code VP8X} canvas, or the size of a simple file's only
   * bitstream; empty when no chunk states one within the data.
   *
   * @param b bytes that start with {@code RIFF....WEBP}
   */
  static java.util.Optional<ImageHeader> stated(byte[] b) {
    int pos = 12;
    for (int n = 0; n < MAX_CHUNKS && pos + 8 <= b.length; n++) {
      String type = new String(b, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      long size = u32(b, pos + 4);
      int data = pos + 8;
      long available = Math.min(size, b.length - data);
      if (type.equals("VP8X") && available >= 10) {
        return java.util.Optional.of(
            new ImageHeader("webp", 1 + u24(b, data + 4), 1 + u24(b, data + 7)));
      }
      if (type.equals("VP8 ") && available >= 10) {
        return java.util.Optional.of(
            new ImageHeader("webp", u16(b, data + 6) & 0x3fff, u16(b, data + 8) & 0x3fff));
      }
      if (type.equals("VP8L") && available >= 5) {
        long bits = u32(b, data + 1);
        return java.util.Optional.of(
            new ImageHeader("webp", 1 + (int) (bits & 0x3fff), 1 + (int) ((bits >> 14) & 0x3fff)));
      }
      pos = (int) Math.min(Integer.MAX_VALUE, data + size + (size & 1));
    }
    return java.util.Optional.empty();
  }

  private static void walk(byte[] b, int from, int to, ImageLimits limits, int depth) {
    int pos = from;
    for (int n = 0; n < MAX_CHUNKS && pos + 8 <= to; n++) {
      String type = new String(b, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      long size = u32(b, pos + 4);
      int data = pos + 8;
      int end = (int) Math.min(to, data + size);
      switch (type) {
        case "VP8X" -> {
          if (end - data >= 10) {
            limits.checkDimensions(1 + u24(b, data + 4), 1 + u24(b, data + 7));
          }
        }
        case "VP8 " -> {
          // 3-byte frame tag, start code 9d 01 2a, then 14-bit width and height (2 scale bits).
          if (end - data >= 10) {
            limits.checkDimensions(u16(b, data + 6) & 0x3fff, u16(b, data + 8) & 0x3fff);
          }
        }
        case "VP8L" -> {
          // Signature 0x2f, then 14 bits width - 1 and 14 bits height - 1, least significant first.
          if (end - data >= 5) {
            long bits = u32(b, data + 1);
            limits.checkDimensions(1 + (int) (bits & 0x3fff), 1 + (int) ((bits >> 14) & 0x3fff));
          }
        }
        case "ANMF" -> {
          // x/2, y/2, width - 1, height - 1, duration (24 bits each), flags; then the frame's
          // chunks.
          if (end - data >= 16 && depth == 0) {
            limits.checkDimensions(1 + u24(b, data + 6), 1 + u24(b, data + 9));
            walk(b, data + 16, end, limits, depth + 1);
          }
        }
        default -> {}
      }
      long next = data + size + (size & 1);
      if (next > to) {
        return;
      }
      pos = (int) next;
    }
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  private static int u24(byte[] b, int i) {
    return u16(b, i) | (b[i + 2] & 0xff) << 16;
  }

  private static long u32(byte[] b, int i) {
    return (u24(b, i) | (long) (b[i + 3] & 0xff) << 24);
  }
}
