package dev.atelier.core.image;

/** Per-pixel region flags and the counts over them that {@link FidelityReport} needs. */
final class Regions {

  private Regions() {}

  /** Flags the pixels whose mask value is above 0, after checking the mask's size. */
  static boolean[] inside(Mask mask, int width, int height) {
    if (mask.width() != width || mask.height() != height) {
      throw new IllegalArgumentException(
          "mask must be the images' size %dx%d but is %dx%d"
              .formatted(width, height, mask.width(), mask.height()));
    }
    float[] values = mask.values();
    boolean[] out = new boolean[values.length];
    for (int p = 0; p < values.length; p++) {
      out[p] = values[p] > 0f;
    }
    return out;
  }

  static boolean[] not(boolean[] flags) {
    boolean[] out = new boolean[flags.length];
    for (int p = 0; p < flags.length; p++) {
      out[p] = !flags[p];
    }
    return out;
  }

  static long count(boolean[] flags) {
    long n = 0;
    for (boolean f : flags) {
      if (f) {
        n++;
      }
    }
    return n;
  }

  /**
   * Flags the pixels whose square neighbourhood of the given radius, clipped to the image, holds no
   * flagged pixel: the centres of SSIM windows that the region does not touch.
   */
  static boolean[] clearOfRegion(boolean[] region, int width, int radius) {
    int height = region.length / width;
    // Summed-area table, one row and column larger, so each window is counted in O(1).
    long[] sat = new long[(width + 1) * (height + 1)];
    for (int y = 0; y < height; y++) {
      long rowSum = 0;
      for (int x = 0; x < width; x++) {
        rowSum += region[y * width + x] ? 1 : 0;
        sat[(y + 1) * (width + 1) + x + 1] = sat[y * (width + 1) + x + 1] + rowSum;
      }
    }
    boolean[] out = new boolean[region.length];
    for (int y = 0; y < height; y++) {
      int y0 = Math.max(0, y - radius);
      int y1 = Math.min(height, y + radius + 1);
      for (int x = 0; x < width; x++) {
        int x0 = Math.max(0, x - radius);
        int x1 = Math.min(width, x + radius + 1);
        long n =
            sat[y1 * (width + 1) + x1]
                - sat[y0 * (width + 1) + x1]
                - sat[y1 * (width + 1) + x0]
                + sat[y0 * (width + 1) + x0];
        out[y * width + x] = n == 0;
      }
    }
    return out;
  }

  /** The fraction of flagged pixels in which any channel differs; NaN if none is flagged. */
  static double changedFraction(RgbImage first, RgbImage second, boolean[] flags) {
    byte[] a = first.rgb();
    byte[] b = second.rgb();
    long counted = 0;
    long changed = 0;
    for (int p = 0; p < flags.length; p++) {
      if (flags[p]) {
        counted++;
        int i = p * 3;
        if (a[i] != b[i] || a[i + 1] != b[i + 1] || a[i + 2] != b[i + 2]) {
          changed++;
        }
      }
    }
    return counted == 0 ? Double.NaN : (double) changed / counted;
  }

  /**
   * Mean CIEDE2000 difference inside and outside the flagged pixels.
   *
   * @return {@code {meanInside, meanOutside}}, each NaN when it covers no pixel
   */
  static double[] meanDeltaE(RgbImage first, RgbImage second, boolean[] inside) {
    double[] sum = new double[2];
    long[] count = new long[2];
    int w = first.width();
    for (int p = 0; p < inside.length; p++) {
      int side = inside[p] ? 0 : 1;
      count[side]++;
      int x = p % w;
      int y = p / w;
      int ca = first.rgbAt(x, y);
      int cb = second.rgbAt(x, y);
      // Most outside pixels are unchanged after compositing; their difference is exactly 0.
      if (ca != cb) {
        sum[side] += Ciede2000.deltaE(ColorSpaces.srgbToLab(ca), ColorSpaces.srgbToLab(cb));
      }
    }
    return new double[] {
      count[0] == 0 ? Double.NaN : sum[0] / count[0], count[1] == 0 ? Double.NaN : sum[1] / count[1]
    };
  }
}
