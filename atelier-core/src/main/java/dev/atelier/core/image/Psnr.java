package dev.atelier.core.image;

import java.util.Objects;

/**
 * Peak signal-to-noise ratio between two 8-bit RGB images, in decibels.
 *
 * <p>{@code PSNR = 10 log10(255^2 / MSE)}, where the mean squared error is taken over all three
 * channels of the pixels counted, the usual definition for RGB images (and scikit-image's {@code
 * peak_signal_noise_ratio(data_range=255)} on an HxWx3 array). Identical pixels give {@link
 * Double#POSITIVE_INFINITY}; about 40 dB and up is hard to tell from the original by eye.
 */
public final class Psnr {

  private static final double PEAK_SQUARED = 255.0 * 255.0;

  private Psnr() {}

  /**
   * Returns the PSNR over the whole image.
   *
   * @param first one image
   * @param second the other image, the same size
   * @return decibels; {@link Double#POSITIVE_INFINITY} if the images are identical
   * @throws IllegalArgumentException if the sizes differ
   */
  public static double of(RgbImage first, RgbImage second) {
    return fromMse(meanSquaredError(first, second, null));
  }

  /**
   * Returns the PSNR over the pixels of a region.
   *
   * @param first one image
   * @param second the other image, the same size
   * @param region one flag per pixel, row-major; true where the pixel counts
   * @return decibels; {@link Double#POSITIVE_INFINITY} if the region's pixels are identical; NaN if
   *     the region is empty
   * @throws IllegalArgumentException if the sizes differ or the region's length is not {@code width
   *     * height}
   */
  public static double of(RgbImage first, RgbImage second, boolean[] region) {
    return fromMse(meanSquaredError(first, second, Objects.requireNonNull(region, "region")));
  }

  /**
   * Returns the mean squared error per channel value over the pixels of a region.
   *
   * @param first one image
   * @param second the other image, the same size
   * @param region one flag per pixel, row-major, or null for every pixel
   * @return the mean of {@code (a - b)^2} over 3 values per counted pixel; NaN if none counts
   */
  static double meanSquaredError(RgbImage first, RgbImage second, boolean[] region) {
    Ssim.checkSameSize(first, second);
    int pixels = first.width() * first.height();
    if (region != null && region.length != pixels) {
      throw new IllegalArgumentException(
          "region must hold %dx%d = %d flags but holds %d"
              .formatted(first.width(), first.height(), pixels, region.length));
    }
    byte[] a = first.rgb();
    byte[] b = second.rgb();
    // Integer sums are exact: 255^2 * 3 per pixel fits a long for any image an array can hold.
    long sum = 0;
    long count = 0;
    for (int p = 0; p < pixels; p++) {
      if (region != null && !region[p]) {
        continue;
      }
      for (int i = p * 3; i < p * 3 + 3; i++) {
        int d = (a[i] & 0xff) - (b[i] & 0xff);
        sum += d * d;
      }
      count += 3;
    }
    return count == 0 ? Double.NaN : (double) sum / count;
  }

  static double fromMse(double mse) {
    if (Double.isNaN(mse)) {
      return Double.NaN;
    }
    return mse == 0 ? Double.POSITIVE_INFINITY : 10.0 * Math.log10(PEAK_SQUARED / mse);
  }
}
