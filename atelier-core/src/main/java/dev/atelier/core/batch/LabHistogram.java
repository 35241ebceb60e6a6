package dev.atelier.core.batch;

import dev.atelier.core.image.RgbImage;
import java.util.Arrays;

/**
 * A normalised 3-D CIELAB histogram of an image, and the distance between two of them.
 *
 * <p>The pixels are those of {@link Palette#sample} (nearest-neighbour sample, at most {@value
 * Palette#SAMPLE_SIDE} pixels on the longer side). They fall into {@value #BINS_L} x {@value
 * #BINS_A} x {@value #BINS_B} = 144 equal bins: L* over [0, 100] in steps of 25, a* and b* each
 * over [-128, 128) in steps of 256/6 (about 42.7); values outside a range count in its end bin. The
 * counts are divided by the number of pixels, so the bins sum to 1.
 *
 * <p>The distance is {@code 1 - sum(min(p_i, q_i))}, one minus the histogram intersection (Swain
 * and Ballard, 1991): 0 for the same colour distribution, 1 when the two images share no bin. It is
 * symmetric. Coarse bins make it forgiving of small shifts in shade and strict about a different
 * range of colours.
 */
public final class LabHistogram {

  /** Bins along L*. */
  public static final int BINS_L = 4;

  /** Bins along a*. */
  public static final int BINS_A = 6;

  /** Bins along b*. */
  public static final int BINS_B = 6;

  private final double[] weights;

  private LabHistogram(double[] weights) {
    this.weights = weights;
  }

  /**
   * Builds an image's histogram as this class describes.
   *
   * @param image the image
   * @return its normalised histogram
   */
  public static LabHistogram of(RgbImage image) {
    double[][] points = Palette.sample(image);
    double[] w = new double[BINS_L * BINS_A * BINS_B];
    for (double[] p : points) {
      int l = bin(p[0], 0, 100, BINS_L);
      int a = bin(p[1], -128, 128, BINS_A);
      int b = bin(p[2], -128, 128, BINS_B);
      w[(l * BINS_A + a) * BINS_B + b] += 1.0 / points.length;
    }
    return new LabHistogram(w);
  }

  /**
   * One minus the histogram intersection of this histogram and another.
   *
   * @param other the other histogram
   * @return the distance, in [0, 1]
   */
  public double distanceTo(LabHistogram other) {
    double intersection = 0;
    for (int i = 0; i < weights.length; i++) {
      intersection += Math.min(weights[i], other.weights[i]);
    }
    return Math.max(0, Math.min(1, 1 - intersection));
  }

  /**
   * The bin weights, L* slowest and b* fastest.
   *
   * @return a copy of the {@code BINS_L * BINS_A * BINS_B} weights, summing to 1
   */
  public double[] weights() {
    return weights.clone();
  }

  /** Compares the bin weights. */
  @Override
  public boolean equals(Object o) {
    return o instanceof LabHistogram other && Arrays.equals(weights, other.weights);
  }

  /** Hashes the bin weights. */
  @Override
  public int hashCode() {
    return Arrays.hashCode(weights);
  }

  /** Names the bin layout only. */
  @Override
  public String toString() {
    return "LabHistogram[" + BINS_L + "x" + BINS_A + "x" + BINS_B + "]";
  }

  private static int bin(double v, double lo, double hi, int bins) {
    int i = (int) Math.floor((v - lo) / (hi - lo) * bins);
    return Math.max(0, Math.min(bins - 1, i));
  }
}
