package dev.atelier.engine.onnx.grounding.internal;

/**
 * Pillow's {@code Image.resize(size, Image.BILINEAR)} for 8-bit RGB images, value for value.
 *
 * <p>Hugging Face image processors resize through Pillow, so a model's reference inputs are
 * Pillow's output. Pillow (libImaging {@code Resample.c}) resamples in two separable passes,
 * horizontal then vertical, each skipped when that side keeps its size. Each output sample is a
 * weighted sum over a triangle filter whose support widens by the scale factor when shrinking, so
 * downscaling averages every input pixel it covers (antialiasing) instead of sampling four. The
 * weights are normalised, then turned into 22-bit fixed point integers, and each pass rounds back
 * to 8 bits; reproducing those roundings is what makes the result equal Pillow's, not just close.
 */
public final class PilResize {
  // Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2.
  private static final int PRECISION_BITS = 22;

  private PilResize() {}

  /**
   * Resizes interleaved RGB bytes.
   *
   * @param rgb {@code width * height * 3} bytes, row-major
   * @param width the input width
   * @param height the input height
   * @param newWidth the output width, at least 1
   * @param newHeight the output height, at least 1
   * @return {@code newWidth * newHeight * 3} bytes
   * @throws IllegalArgumentException if a side is below 1 or the array length does not match
   */
  public static byte[] bilinear(byte[] rgb, int width, int height, int newWidth, int newHeight) {
    if (width < 1 || height < 1 || newWidth < 1 || newHeight < 1) {
      throw new IllegalArgumentException(
          "sizes must be at least 1 but were %dx%d -> %dx%d"
              .formatted(width, height, newWidth, newHeight));
    }
    if (rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "rgb must hold %dx%dx3 = %d bytes but holds %d"
              .formatted(width, height, width * height * 3, rgb.length));
    }
    byte[] out = rgb;
    int w = width;
    if (newWidth != width) {
      out = horizontal(out, w, height, newWidth, coefficients(width, newWidth));
      w = newWidth;
    }
    if (newHeight != height) {
      out = vertical(out, w, height, newHeight, coefficients(height, newHeight));
    }
    return out == rgb ? rgb.clone() : out;
  }

  /** Per output index: the first input index, how many follow, and their fixed point weights. */
  record Coefficients(int[] first, int[] count, int[][] weights) {}

  static Coefficients coefficients(int inSize, int outSize) {
    double scale = (double) inSize / outSize;
    // Shrinking widens the filter so that every input pixel contributes: Pillow's antialias.
    double filterScale = Math.max(scale, 1.0);
    double support = filterScale; // the bilinear (triangle) filter's support is 1
    double invFilterScale = 1.0 / filterScale;
    int[] first = new int[outSize];
    int[] count = new int[outSize];
    int[][] weights = new int[outSize][];
    for (int xx = 0; xx < outSize; xx++) {
      double center = (xx + 0.5) * scale;
      // (int) truncates toward zero, as the C cast in Pillow does.
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double[] k = new double[Math.max(xmax, 0)];
      double sum = 0;
      for (int x = 0; x < k.length; x++) {
        k[x] = triangle((x + xmin - center + 0.5) * invFilterScale);
        sum += k[x];
      }
      int[] fixed = new int[k.length];
      for (int x = 0; x < k.length; x++) {
        double w = sum != 0 ? k[x] / sum : k[x];
        double scaled = w * (1 << PRECISION_BITS);
        fixed[x] = (int) (w < 0 ? scaled - 0.5 : scaled + 0.5);
      }
      first[xx] = xmin;
      count[xx] = k.length;
      weights[xx] = fixed;
    }
    return new Coefficients(first, count, weights);
  }

  private static double triangle(double x) {
    double a = Math.abs(x);
    return a < 1.0 ? 1.0 - a : 0.0;
  }

  private static byte[] horizontal(byte[] in, int w, int h, int newW, Coefficients c) {
    byte[] out = new byte[newW * h * 3];
    for (int y = 0; y < h; y++) {
      int row = y * w * 3;
      for (int xx = 0; xx < newW; xx++) {
        int[] k = c.weights()[xx];
        int x0 = c.first()[xx];
        for (int ch = 0; ch < 3; ch++) {
          int acc = 1 << (PRECISION_BITS - 1);
          for (int i = 0; i < k.length; i++) {
            acc += (in[row + (x0 + i) * 3 + ch] & 0xff) * k[i];
          }
          out[(y * newW + xx) * 3 + ch] = clip8(acc);
        }
      }
    }
    return out;
  }

  private static byte[] vertical(byte[] in, int w, int h, int newH, Coefficients c) {
    byte[] out = new byte[w * newH * 3];
    int stride = w * 3;
    for (int yy = 0; yy < newH; yy++) {
      int[] k = c.weights()[yy];
      int y0 = c.first()[yy];
      for (int i = 0; i < stride; i++) {
        int acc = 1 << (PRECISION_BITS - 1);
        for (int j = 0; j < k.length; j++) {
          acc += (in[(y0 + j) * stride + i] & 0xff) * k[j];
        }
        out[yy * stride + i] = clip8(acc);
      }
    }
    return out;
  }

  private static byte clip8(int acc) {
    if (acc >= 1 << (PRECISION_BITS + 8)) {
      return (byte) 255;
    }
    if (acc <= 0) {
      return 0;
    }
    return (byte) (acc >> PRECISION_BITS);
  }
}
