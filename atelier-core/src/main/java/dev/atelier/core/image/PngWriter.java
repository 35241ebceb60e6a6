package dev.atelier.core.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A streaming PNG encoder for 8-bit RGB and 8-bit grey pixels.
 *
 * <p>Rows are filtered one at a time (the filter with the smallest sum of absolute differences,
 * libpng's heuristic, which ImageIO's writer also uses) and fed straight to a {@link Deflater} at a
 * chosen level, so the only memory besides the output is a few rows; ImageIO's writer first copies
 * the pixels into a {@code BufferedImage} of the same size. Text chunks are laid out as ImageIO
 * writes them: every {@code tEXt} after the header, then every {@code iTXt}, then the pixels.
 */
final class PngWriter {

  /**
   * The deflate level used unless a caller picks another: on a 3840x2160 edit (docs/benchmarks.md)
   * level 1 took about half the time of ImageIO's writer and wrote half its bytes; levels 3-6 were
   * 5-20 % smaller for 1.4-3.5x the time of level 1, level 9 60x.
   */
  static final int DEFAULT_LEVEL = 1;

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int IDAT_SIZE = 1 << 16;
  private static final int COLOR_GREY = 0;
  private static final int COLOR_RGB = 2;

  private PngWriter() {}

  /** Supplies row {@code y} of the image as bytes, {@code channels} per pixel. */
  interface Rows {
    void row(int y, byte[] dst);
  }

  /** Encodes RGB pixels. */
  static byte[] rgb(RgbImage image, Map<String, String> text, int level) {
    int w = image.width();
    byte[] src = image.rgb();
    int rowBytes = w * 3;
    return encode(
        w,
        image.height(),
        COLOR_RGB,
        (y, dst) -> System.arraycopy(src, y * rowBytes, dst, 0, rowBytes),
        text,
        level);
  }

  /** Encodes a mask as grey levels {@code round(255 v)}, white = 1. */
  static byte[] grey(Mask mask, Map<String, String> text, int level) {
    int w = mask.width();
    float[] v = mask.values();
    return encode(
        w,
        mask.height(),
        COLOR_GREY,
        (y, dst) -> {
          for (int x = 0, p = y * w; x < w; x++, p++) {
            dst[x] = (byte) Math.round(v[p] * 255);
          }
        },
        text,
        level);
  }

  private static byte[] encode(
      int w, int h, int colorType, Rows rows, Map<String, String> text, int level) {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("deflate level must be 0..9 but was " + level);
    }
    int channels = colorType == COLOR_RGB ? 3 : 1;
    int rowBytes = Math.multiplyExact(w, channels);
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, rowBytes * h / 8));
    out.writeBytes(SIGNATURE);
    byte[] ihdr = new byte[13];
    putInt(ihdr, 0, w);
    putInt(ihdr, 4, h);
    ihdr[8] = 8;
    ihdr[9] = (byte) colorType;
    chunk(out, "IHDR", ihdr, ihdr.length);
    textChunks(out, text);
    Deflater deflater = new Deflater(level);
    try {
      byte[] prev = new byte[rowBytes];
      byte[] cur = new byte[rowBytes];
      byte[][] filtered = new byte[5][rowBytes + 1];
      byte[] idat = new byte[IDAT_SIZE];
      int[] fill = {0};
      for (int y = 0; y < h; y++) {
        rows.row(y, cur);
        byte[] best = filter(cur, prev, channels, filtered);
        deflater.setInput(best, 0, rowBytes + 1);
        while (!deflater.needsInput()) {
          drain(out, deflater, idat, fill);
        }
        byte[] t = prev;
        prev = cur;
        cur = t;
      }
      deflater.finish();
      while (!deflater.finished()) {
        drain(out, deflater, idat, fill);
      }
      if (fill[0] > 0) {
        chunk(out, "IDAT", idat, fill[0]);
      }
    } finally {
      deflater.end();
    }
    chunk(out, "IEND", new byte[0], 0);
    return out.toByteArray();
  }

  private static void drain(ByteArrayOutputStream out, Deflater d, byte[] idat, int[] fill) {
    fill[0] += d.deflate(idat, fill[0], idat.length - fill[0], Deflater.NO_FLUSH);
    if (fill[0] == idat.length) {
      chunk(out, "IDAT", idat, fill[0]);
      fill[0] = 0;
    }
  }

  /**
   * Writes the five PNG filters of {@code cur} into {@code out} (type byte first) and returns the
   * one whose bytes, read as signed, have the smallest sum of absolute values.
   */
  private static byte[] filter(byte[] cur, byte[] prev, int bpp, byte[][] out) {
    int n = cur.length;
    long[] cost = new long[5];
    byte[] none = out[0];
    byte[] sub = out[1];
    byte[] up = out[2];
    byte[] avg = out[3];
    byte[] paeth = out[4];
    none[0] = 0;
    sub[0] = 1;
    up[0] = 2;
    avg[0] = 3;
    paeth[0] = 4;
    for (int i = 0; i < n; i++) {
      int x = cur[i] & 0xff;
      int a = i >= bpp ? cur[i - bpp] & 0xff : 0;
      int b = prev[i] & 0xff;
      int c = i >= bpp ? prev[i - bpp] & 0xff : 0;
      byte f0 = (byte) x;
      byte f1 = (byte) (x - a);
      byte f2 = (byte) (x - b);
      byte f3 = (byte) (x - ((a + b) >>> 1));
      byte f4 = (byte) (x - paethPredictor(a, b, c));
      none[i + 1] = f0;
      sub[i + 1] = f1;
      up[i + 1] = f2;
      avg[i + 1] = f3;
      paeth[i + 1] = f4;
      cost[0] += Math.abs(f0);
      cost[1] += Math.abs(f1);
      cost[2] += Math.abs(f2);
      cost[3] += Math.abs(f3);
      cost[4] += Math.abs(f4);
    }
    int best = 0;
    for (int k = 1; k < 5; k++) {
      if (cost[k] < cost[best]) {
        best = k;
      }
    }
    return out[best];
  }

  private static int paethPredictor(int a, int b, int c) {
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    if (pa <= pb && pa <= pc) {
      return a;
    }
    return pb <= pc ? b : c;
  }

  /** {@code tEXt} for values Latin-1 can hold, then uncompressed UTF-8 {@code iTXt} for others. */
  private static void textChunks(ByteArrayOutputStream out, Map<String, String> text) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : text.entrySet()) {
      String key = PngText.checkKeyword(e.getKey());
      String value = checkValue(key, e.getValue());
      if (PngText.isLatin1(value)) {
        body.reset();
        body.writeBytes(key.getBytes(StandardCharsets.ISO_8859_1));
        body.write(0);
        body.writeBytes(value.getBytes(StandardCharsets.ISO_8859_1));
        chunk(out, "tEXt", body.toByteArray(), body.size());
      }
    }
    for (Map.Entry<String, String> e : text.entrySet()) {
      String key = e.getKey();
      String value = e.getValue();
      if (!PngText.isLatin1(value)) {
        body.reset();
        body.writeBytes(key.getBytes(StandardCharsets.ISO_8859_1));
        // NUL, compression flag 0, method 0, empty language tag, empty translated keyword.
        body.writeBytes(new byte[] {0, 0, 0, 0, 0});
        body.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        chunk(out, "iTXt", body.toByteArray(), body.size());
      }
    }
  }

  private static String checkValue(String key, String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "PNG text for keyword '" + key + "' must not contain NUL characters but does");
    }
    return value;
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
    byte[] head = new byte[8];
    putInt(head, 0, length);
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(t, 0, head, 4, 4);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data, 0, length);
    out.writeBytes(head);
    out.write(data, 0, length);
    byte[] tail = new byte[4];
    putInt(tail, 0, (int) crc.getValue());
    out.writeBytes(tail);
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
