package dev.atelier.core.image;

import java.util.Objects;

/**
 * Mean structural similarity (SSIM) of two images' luma, as defined by Wang, Bovik, Sheikh and
 * Simoncelli, "Image quality assessment: from error visibility to structural similarity", IEEE
 * Transactions on Image Processing 13(4), 2004.
 *
 * <p>The parameters are the paper's: an 11x11 Gaussian window with standard deviation 1.5,
 * normalised to sum 1, {@code K1 = 0.01}, {@code K2 = 0.03} and dynamic range {@code L = 255}.
 * Means, variances and the covariance are the window-weighted moments (no sample-size correction),
 * and SSIM at a window is {@code ((2 mx my + C1)(2 sxy + C2)) / ((mx^2 + my^2 + C1)(sx^2 + sy^2 +
 * C2))} with {@code C1 = (K1 L)^2}, {@code C2 = (K2 L)^2}. As in the authors' MATLAB code and
 * scikit-image's {@code structural_similarity(gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=255)}, only windows that lie wholly inside the image
 * count, so no border padding enters the mean.
 *
 * <p>Colour is reduced to ITU-R BT.601 luma {@code Y = 0.299 R + 0.587 G + 0.114 B}, kept in double
 * rather than rounded to 8 bits. The work is separable and streams eleven rows at a time, so memory
 * stays proportional to the width.
 */
public final class Ssim {

  /** The side of the square window, in pixels. */
  public static final int WINDOW = 11;

  /** The Gaussian window's standard deviation, in pixels. */
  public static final double SIGMA = 1.5;

  private static final int RADIUS = WINDOW / 2;
  private static final double C1 = (0.01 * 255) * (0.01 * 255);
  private static final double C2 = (0.03 * 255) * (0.03 * 255);
  private static final double[] KERNEL = gaussianKernel();

  private Ssim() {}

  /**
   * Returns the mean SSIM over every window that fits inside the images.
   *
   * @param first one image
   * @param second the other image, the same size
   * @return the mean, 1 for identical images, in [-1, 1]
   * @throws IllegalArgumentException if the sizes differ or a side is below {@value #WINDOW}
   */
  public static double mean(RgbImage first, RgbImage second) {
    return compute(first, second, null);
  }

  /**
   * Returns the mean SSIM over the windows whose centre pixel lies in a region.
   *
   * <p>The window still reads its neighbours outside the region; restrict the region further (erode
   * it by {@code WINDOW / 2}) to score only windows that lie wholly inside it.
   *
   * @param first one image
   * @param second the other image, the same size
   * @param region one flag per pixel, row-major; true where a window centred there counts
   * @return the mean, in [-1, 1]; NaN if no window centred in the region fits inside the images
   * @throws IllegalArgumentException if the sizes differ, a side is below {@value #WINDOW} or the
   *     region's length is not {@code width * height}
   */
  public static double mean(RgbImage first, RgbImage second, boolean[] region) {
    return compute(first, second, Objects.requireNonNull(region, "region"));
  }

  /**
   * The mean SSIM over the windows that hold no pixel of {@code region} (values above 0), as {@link
   * #mean(RgbImage, RgbImage, boolean[])} with the region eroded by {@code WINDOW / 2}, found row
   * by row instead of through per-pixel flags.
   */
  static double meanOutside(RgbImage first, RgbImage second, Mask region) {
    return compute(first, second, null, new Regions.ClearWindows(region, RADIUS));
  }

  /**
   * What {@link #meanOutside} answers when no pixel outside {@code region} differs: 1, or NaN when
   * no window lies wholly outside the region.
   */
  static double identicalOutside(RgbImage image, Mask region) {
    checkWindowFits(image.width(), image.height());
    return Regions.ClearWindows.any(region, RADIUS) ? 1.0 : Double.NaN;
  }

  private static void checkWindowFits(int w, int h) {
    if (w < WINDOW || h < WINDOW) {
      throw new IllegalArgumentException(
          "SSIM needs images of at least %dx%d pixels but they are %dx%d"
              .formatted(WINDOW, WINDOW, w, h));
    }
  }

  private static double compute(RgbImage first, RgbImage second, boolean[] region) {
    return compute(first, second, region, null);
  }

  /**
   * Scores every valid window when {@code region} and {@code clear} are null, else those centred in
   * {@code region} or those {@code clear} flags.
   */
  private static double compute(
      RgbImage first, RgbImage second, boolean[] region, Regions.ClearWindows clear) {
    checkSameSize(first, second);
    int w = first.width();
    int h = first.height();
    checkWindowFits(w, h);
    if (region != null && region.length != w * h) {
      throw new IllegalArgumentException(
          "region must hold %dx%d = %d flags but holds %d".formatted(w, h, w * h, region.length));
    }
    int cols = w - 2 * RADIUS;
    // Ring of horizontally filtered rows: moments x, y, x^2, y^2 and xy for each valid column.
    double[][][] ring = new double[WINDOW][5][cols];
    double[] lumaX = new double[w];
    double[] lumaY = new double[w];
    for (int y = 0; y < WINDOW - 1; y++) {
      filterRow(first, second, y, lumaX, lumaY, ring[y % WINDOW]);
    }
    double sum = 0;
    long count = 0;
    for (int cy = RADIUS; cy < h - RADIUS; cy++) {
      int newest = cy + RADIUS;
      filterRow(first, second, newest, lumaX, lumaY, ring[newest % WINDOW]);
      boolean[] clearRow = clear == null ? null : clear.centreRow(cy);
      for (int c = 0; c < cols; c++) {
        if (region != null && !region[cy * w + c + RADIUS]) {
          continue;
        }
        if (clearRow != null && !clearRow[c + RADIUS]) {
          continue;
        }
        double mx = 0;
        double my = 0;
        double mxx = 0;
        double myy = 0;
        double mxy = 0;
        for (int k = 0; k < WINDOW; k++) {
          double[][] row = ring[(cy - RADIUS + k) % WINDOW];
          double weight = KERNEL[k];
          mx += weight * row[0][c];
          my += weight * row[1][c];
          mxx += weight * row[2][c];
          myy += weight * row[3][c];
          mxy += weight * row[4][c];
        }
        double vx = mxx - mx * mx;
        double vy = myy - my * my;
        double cov = mxy - mx * my;
        sum += ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        count++;
      }
    }
    return count == 0 ? Double.NaN : sum / count;
  }

  /**
   * Returns the BT.601 luma of every pixel.
   *
   * @param image the image
   * @return {@code width * height} values {@code 0.299 R + 0.587 G + 0.114 B}, row-major
   */
  public static double[] luma(RgbImage image) {
    byte[] rgb = image.rgb();
    double[] out = new double[image.width() * image.height()];
    for (int p = 0; p < out.length; p++) {
      out[p] = luma(rgb, p * 3);
    }
    return out;
  }

  static void checkSameSize(RgbImage first, RgbImage second) {
    if (first.width() != second.width() || first.height() != second.height()) {
      throw new IllegalArgumentException(
          "images must be the same size but are %dx%d and %dx%d"
              .formatted(first.width(), first.height(), second.width(), second.height()));
    }
  }

  private static double luma(byte[] rgb, int i) {
    return 0.299 * (rgb[i] & 0xff) + 0.587 * (rgb[i + 1] & 0xff) + 0.114 * (rgb[i + 2] & 0xff);
  }

  /** Filters image row {@code y} horizontally into {@code out[moment][validColumn]}. */
  private static void filterRow(
      RgbImage first, RgbImage second, int y, double[] lx, double[] ly, double[][] out) {
    int w = first.width();
    for (int x = 0; x < w; x++) {
      lx[x] = luma(first.rgb(), (y * w + x) * 3);
      ly[x] = luma(second.rgb(), (y * w + x) * 3);
    }
    for (int c = 0; c < w - 2 * RADIUS; c++) {
      double sx = 0;
      double sy = 0;
      double sxx = 0;
      double syy = 0;
      double sxy = 0;
      for (int k = 0; k < WINDOW; k++) {
        double a = lx[c + k];
        double b = ly[c + k];
        double weight = KERNEL[k];
        sx += weight * a;
        sy += weight * b;
        sxx += weight * a * a;
        syy += weight * b * b;
        sxy += weight * a * b;
      }
      out[0][c] = sx;
      out[1][c] = sy;
      out[2][c] = sxx;
      out[3][c] = syy;
      out[4][c] = sxy;
    }
  }

  /** The 1-D Gaussian whose outer product with itself is the normalised 2-D window. */
  private static double[] gaussianKernel() {
    double[] k = new double[WINDOW];
    double total = 0;
    for (int i = 0; i < WINDOW; i++) {
      int d = i - RADIUS;
      k[i] = Math.exp(-(d * d) / (2 * SIGMA * SIGMA));
      total += k[i];
    }
    for (int i = 0; i < WINDOW; i++) {
      k[i] /= total;
    }
    return k;
  }
}
