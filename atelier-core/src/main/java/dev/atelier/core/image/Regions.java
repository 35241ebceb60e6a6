package dev.atelier.core.image;

/**
 * One-pass counts over an edit region, and the streaming window test, that {@link FidelityReport}
 * needs; nothing here allocates per pixel or holds a per-pixel array besides the mask itself.
 */
final class Regions {

  /**
   * The most pixels per side (inside, outside) whose CIEDE2000 difference is evaluated; a side with
   * more is measured on a regular grid of its pixels (every s-th column of every s-th row).
   */
  static final int DELTA_E_SAMPLE = 1 << 18;

  private Regions() {}

  /** Checks that the mask has the images' size. */
  static void checkSize(Mask mask, int width, int height) {
    if (mask.width() != width || mask.height() != height) {
      throw new IllegalArgumentException(
          "mask must be the images' size %dx%d but is %dx%d"
              .formatted(width, height, mask.width(), mask.height()));
    }
  }

  /** What one pass over two images and a region counts; "inside" is every mask value above 0. */
  static final class Tally {
    long inside;
    long outside;
    long changedOutside;
    long squaredErrorOutside;
    int minX = Integer.MAX_VALUE;
    int minY = Integer.MAX_VALUE;
    int maxX = -1;
    int maxY = -1;

    /** The tight box around the inside pixels. */
    Box box() {
      if (maxX < 0) {
        throw new IllegalArgumentException(
            "mask must mark at least one pixel above 0 to box but all are 0");
      }
      return new Box(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /** Fraction of outside pixels in which any channel differs; NaN if there are none. */
    double changedFraction() {
      return outside == 0 ? Double.NaN : (double) changedOutside / outside;
    }
  }

  /** Counts inside and outside pixels, and the changes and squared errors outside, in one pass. */
  static Tally tally(RgbImage first, RgbImage second, Mask region) {
    int w = first.width();
    int h = first.height();
    byte[] a = first.rgb();
    byte[] b = second.rgb();
    float[] m = region.values();
    Tally t = new Tally();
    for (int y = 0; y < h; y++) {
      int rowIn = 0;
      int rowMin = -1;
      int rowMax = -1;
      for (int x = 0, p = y * w; x < w; x++, p++) {
        if (m[p] > 0f) {
          rowIn++;
          if (rowMin < 0) {
            rowMin = x;
          }
          rowMax = x;
          continue;
        }
        int i = p * 3;
        int d0 = (a[i] & 0xff) - (b[i] & 0xff);
        int d1 = (a[i + 1] & 0xff) - (b[i + 1] & 0xff);
        int d2 = (a[i + 2] & 0xff) - (b[i + 2] & 0xff);
        if ((d0 | d1 | d2) != 0) {
          t.changedOutside++;
          t.squaredErrorOutside += d0 * d0 + d1 * d1 + d2 * d2;
        }
      }
      t.inside += rowIn;
      t.outside += w - rowIn;
      if (rowIn > 0) {
        t.minX = Math.min(t.minX, rowMin);
        t.maxX = Math.max(t.maxX, rowMax);
        t.minY = Math.min(t.minY, y);
        t.maxY = y;
      }
    }
    return t;
  }

  /**
   * Mean CIEDE2000 difference inside and outside the region.
   *
   * <p>Each side is exact up to {@link #DELTA_E_SAMPLE} pixels (summed in scan order, so the same
   * number as a plain loop over every pixel); above that it is the mean over the side's pixels on a
   * regular grid, every s-th column of every s-th row with {@code s = ceil(sqrt(count /
   * DELTA_E_SAMPLE))}, which is the mean of a nearest-neighbour downscaled copy.
   *
   * @return {@code {meanInside, meanOutside}}, each NaN when it covers no pixel
   */
  static double[] meanDeltaE(RgbImage first, RgbImage second, Mask region, Tally t) {
    int[] step = {gridStep(t.inside), gridStep(t.outside)};
    double[] sum = new double[2];
    long[] count = new long[2];
    int w = first.width();
    int h = first.height();
    byte[] a = first.rgb();
    byte[] b = second.rgb();
    float[] m = region.values();
    double[] labA = new double[3];
    double[] labB = new double[3];
    for (int y = 0; y < h; y++) {
      for (int x = 0, p = y * w; x < w; x++, p++) {
        int side = m[p] > 0f ? 0 : 1;
        int s = step[side];
        if (s > 1 && (x % s != 0 || y % s != 0)) {
          continue;
        }
        count[side]++;
        int i = p * 3;
        // Most outside pixels are unchanged after compositing; their difference is exactly 0.
        if (a[i] != b[i] || a[i + 1] != b[i + 1] || a[i + 2] != b[i + 2]) {
          ColorSpaces.srgbToLab(a[i] & 0xff, a[i + 1] & 0xff, a[i + 2] & 0xff, labA);
          ColorSpaces.srgbToLab(b[i] & 0xff, b[i + 1] & 0xff, b[i + 2] & 0xff, labB);
          sum[side] += Ciede2000.deltaE(labA[0], labA[1], labA[2], labB[0], labB[1], labB[2]);
        }
      }
    }
    return new double[] {
      count[0] == 0 ? Double.NaN : sum[0] / count[0], count[1] == 0 ? Double.NaN : sum[1] / count[1]
    };
  }

  private static int gridStep(long count) {
    if (count <= DELTA_E_SAMPLE) {
      return 1;
    }
    return (int) Math.ceil(Math.sqrt((double) count / DELTA_E_SAMPLE));
  }

  /**
   * Streams, row by row, which pixels are the centres of square windows that lie inside the image
   * and hold no region pixel, from a count per column of the region-free rows seen last: memory
   * proportional to the width.
   */
  static final class ClearWindows {
    private final float[] mask;
    private final int width;
    private final int radius;
    private final int[] run;
    private final boolean[] clear;
    private int fed;

    ClearWindows(Mask region, int radius) {
      this.mask = region.values();
      this.width = region.width();
      this.radius = radius;
      this.run = new int[width];
      this.clear = new boolean[width];
    }

    /**
     * Flags, for centre row {@code cy}, every column whose window of side {@code 2 radius + 1} lies
     * inside the image and outside the region. Rows must be asked for in increasing order, with
     * {@code radius <= cy < height - radius}.
     */
    boolean[] centreRow(int cy) {
      int side = 2 * radius + 1;
      for (; fed <= cy + radius; fed++) {
        int base = fed * width;
        for (int x = 0; x < width; x++) {
          run[x] = mask[base + x] > 0f ? 0 : run[x] + 1;
        }
      }
      int full = 0;
      for (int x = 0; x < width; x++) {
        full += run[x] >= side ? 1 : 0;
        if (x >= side) {
          full -= run[x - side] >= side ? 1 : 0;
        }
        clear[x] = false;
        if (x >= side - 1) {
          clear[x - radius] = full == side;
        }
      }
      return clear;
    }

    /** Whether any window of the image holds no region pixel. */
    static boolean any(Mask region, int radius) {
      ClearWindows c = new ClearWindows(region, radius);
      for (int cy = radius; cy < region.height() - radius; cy++) {
        for (boolean f : c.centreRow(cy)) {
          if (f) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
