package dev.atelier.core.batch;

import dev.atelier.core.image.Ciede2000;
import dev.atelier.core.image.ColorSpaces;
import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * An image's dominant colours: up to {@link #K} CIELAB colours with the share of the image each
 * stands for, found by deterministic k-means.
 *
 * <p>The image is first sampled down to at most {@link #SAMPLE_SIDE} pixels on its longer side by
 * nearest neighbour ({@link #sample}), so that the palette holds colours that occur in the image
 * rather than blends of neighbours. The samples go to CIELAB ({@link ColorSpaces}) and are
 * clustered by Lloyd's k-means with Euclidean distance in Lab (CIE76), starting from a fixed
 * initialisation: the samples sorted by L*, then a*, then b*, and the ones at the quantiles {@code
 * (2j + 1) / 2K} taken as the {@code K} initial centres. Iteration stops when no sample changes
 * cluster, or after 50 rounds; a tie goes to the lower-numbered centre. Clusters left empty (an
 * image of fewer than {@code K} colours) are dropped, so a flat image has one swatch of share 1.
 * The same pixels in any order give the same palette up to rounding.
 *
 * @param swatches the colours, largest share first, shares summing to 1
 */
public record Palette(List<Swatch> swatches) {

  /** Number of clusters. */
  public static final int K = 5;

  /** Longest side of the sample the palette and {@link LabHistogram} are computed from. */
  public static final int SAMPLE_SIDE = 64;

  /** Most k-means rounds. */
  static final int MAX_ITERATIONS = 50;

  /**
   * One dominant colour.
   *
   * @param lab the cluster's mean colour
   * @param share the fraction of sampled pixels in the cluster, in (0, 1]
   */
  public record Swatch(ColorSpaces.Lab lab, double share) {
    /**
     * Validates the share.
     *
     * @throws IllegalArgumentException if {@code share} is not in (0, 1]
     */
    public Swatch {
      Objects.requireNonNull(lab, "lab");
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException("share must be in (0, 1] but was " + share);
      }
    }
  }

  /**
   * Checks that there is at least one swatch.
   *
   * @throws IllegalArgumentException if {@code swatches} is empty
   */
  public Palette {
    swatches = List.copyOf(swatches);
    if (swatches.isEmpty()) {
      throw new IllegalArgumentException("a palette must have at least one swatch but had none");
    }
  }

  /**
   * Several images' palettes as one: all their swatches, each image's shares divided by the number
   * of images (several style references acting together).
   *
   * @throws IllegalArgumentException when {@code images} is empty
   */
  public static Palette ofAll(List<RgbImage> images) {
    List<Swatch> all = new java.util.ArrayList<>();
    for (RgbImage image : images) {
      for (Swatch w : of(image).swatches()) {
        all.add(new Swatch(w.lab(), w.share() / images.size()));
      }
    }
    return new Palette(all);
  }

  /**
   * Finds an image's palette as this class describes.
   *
   * @param image the image
   * @return its palette
   */
  public static Palette of(RgbImage image) {
    double[][] points = sample(image);
    int n = points.length;
    int k = Math.min(K, n);
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(
        order,
        Comparator.<Integer>comparingDouble(i -> points[i][0])
            .thenComparingDouble(i -> points[i][1])
            .thenComparingDouble(i -> points[i][2]));
    double[][] centres = new double[k][];
    for (int j = 0; j < k; j++) {
      centres[j] = points[order[(int) ((2L * j + 1) * n / (2L * k))]].clone();
    }
    int[] cluster = new int[n];
    Arrays.fill(cluster, -1);
    int[] counts = new int[k];
    for (int round = 0; round < MAX_ITERATIONS; round++) {
      boolean changed = false;
      for (int i = 0; i < n; i++) {
        int best = nearest(points[i], centres);
        if (best != cluster[i]) {
          cluster[i] = best;
          changed = true;
        }
      }
      if (!changed) {
        break;
      }
      double[][] sums = new double[k][3];
      Arrays.fill(counts, 0);
      for (int i = 0; i < n; i++) {
        counts[cluster[i]]++;
        for (int c = 0; c < 3; c++) {
          sums[cluster[i]][c] += points[i][c];
        }
      }
      for (int j = 0; j < k; j++) {
        if (counts[j] > 0) {
          centres[j] =
              new double[] {sums[j][0] / counts[j], sums[j][1] / counts[j], sums[j][2] / counts[j]};
        }
      }
    }
    List<Swatch> out = new ArrayList<>(k);
    for (int j = 0; j < k; j++) {
      if (counts[j] > 0) {
        out.add(
            new Swatch(
                new ColorSpaces.Lab(centres[j][0], centres[j][1], centres[j][2]),
                (double) counts[j] / n));
      }
    }
    out.sort(
        Comparator.comparingDouble(Swatch::share).reversed().thenComparingDouble(s -> s.lab().l()));
    return new Palette(out);
  }

  /**
   * The palette distance between this palette and another, in CIEDE2000 units.
   *
   * <p>Each swatch of one palette is matched with the nearest swatch of the other by {@link
   * Ciede2000}; the differences, weighted by the swatches' shares, are summed in each direction,
   * and the result is the mean of the two directions, so the distance is symmetric and 0 for equal
   * palettes.
   *
   * @param other the other palette
   * @return the distance, at least 0
   */
  public double distanceTo(Palette other) {
    return (oneWay(this, other) + oneWay(other, this)) / 2;
  }

  private static double oneWay(Palette from, Palette to) {
    double sum = 0;
    for (Swatch s : from.swatches) {
      double best = Double.POSITIVE_INFINITY;
      for (Swatch t : to.swatches) {
        best = Math.min(best, Ciede2000.deltaE(s.lab(), t.lab()));
      }
      sum += s.share() * best;
    }
    return sum;
  }

  private static int nearest(double[] p, double[][] centres) {
    int best = 0;
    double bestD = Double.POSITIVE_INFINITY;
    for (int j = 0; j < centres.length; j++) {
      double dl = p[0] - centres[j][0];
      double da = p[1] - centres[j][1];
      double db = p[2] - centres[j][2];
      double d = dl * dl + da * da + db * db;
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    return best;
  }

  /**
   * The image sampled by nearest neighbour to at most {@link #SAMPLE_SIDE} on its longer side,
   * aspect kept, as CIELAB {@code {L, a, b}} triples; an image that small is taken whole.
   */
  static double[][] sample(RgbImage image) {
    int w = image.width();
    int h = image.height();
    int longer = Math.max(w, h);
    int outW = w;
    int outH = h;
    if (longer > SAMPLE_SIDE) {
      outW = Math.max(1, (int) Math.round((double) w * SAMPLE_SIDE / longer));
      outH = Math.max(1, (int) Math.round((double) h * SAMPLE_SIDE / longer));
    }
    double[][] out = new double[outW * outH][];
    for (int y = 0; y < outH; y++) {
      int sy = (int) ((y + 0.5) * h / outH);
      for (int x = 0; x < outW; x++) {
        int sx = (int) ((x + 0.5) * w / outW);
        ColorSpaces.Lab lab = ColorSpaces.srgbToLab(image.rgbAt(sx, sy));
        out[y * outW + x] = new double[] {lab.l(), lab.a(), lab.b()};
      }
    }
    return out;
  }
}
