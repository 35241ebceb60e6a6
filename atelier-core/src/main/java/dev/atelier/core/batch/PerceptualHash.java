package dev.atelier.core.batch;

import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A 64-bit DCT perceptual hash (pHash) of an image: two images that look alike have hashes a few
 * bits apart, whatever their size, compression or slight brightness differences.
 *
 * <p>The hash is computed as Python's {@code imagehash.phash} does with its defaults (hash size 8,
 * high-frequency factor 4): the image becomes grey with PIL's "L" luma ({@link Mask#luma}), is
 * resized to 32x32 ({@link Compositor#resizeBicubic}, antialiased when shrinking, where imagehash
 * uses Lanczos), and gets an unnormalised 2-D DCT-II; the 8x8 lowest frequencies, DC included, are
 * compared with their median, and each coefficient above it sets a bit. Bits are taken row by row
 * (vertical frequency first), the first one being the most significant, so {@link #toHex} reads as
 * imagehash's {@code str(hash)} does up to the different resize filter.
 *
 * <p>Coefficients within {@code 1e-6} of the median count as equal to it: a flat image then hashes
 * to the DC bit alone instead of to the signs of rounding errors. The hash sees structure, not
 * colour: two flat images of different colours hash the same; {@link ConsistencyReport} measures
 * colour.
 *
 * @param bits the 64 bits
 */
public record PerceptualHash(long bits) {

  /**
   * Largest Hamming distance at which two images of a batch count as near-duplicates: a batch's
   * images must be further apart than this.
   */
  public static final int NEAR_DUPLICATE_MAX_DISTANCE = 6;

  /** Side of the grey image the DCT runs on. */
  static final int SIDE = 32;

  /** Frequencies kept per axis. */
  static final int LOW = 8;

  private static final double TIE = 1e-6;

  /** {@code COS[k][n] = cos(pi * k * (2n + 1) / (2 * SIDE))}, the DCT-II basis. */
  private static final double[][] COS = new double[LOW][SIDE];

  static {
    for (int k = 0; k < LOW; k++) {
      for (int n = 0; n < SIDE; n++) {
        COS[k][n] = Math.cos(Math.PI * k * (2 * n + 1) / (2.0 * SIDE));
      }
    }
  }

  /**
   * Hashes an image.
   *
   * @param image any size, at least 1x1
   * @return the hash
   */
  public static PerceptualHash of(RgbImage image) {
    Objects.requireNonNull(image, "image");
    double[] grey = grey32(image);
    // Rows first: tmp[y][v] is row y's v-th frequency, then columns over those.
    double[][] tmp = new double[SIDE][LOW];
    for (int y = 0; y < SIDE; y++) {
      for (int v = 0; v < LOW; v++) {
        double s = 0;
        for (int x = 0; x < SIDE; x++) {
          s += grey[y * SIDE + x] * COS[v][x];
        }
        tmp[y][v] = s;
      }
    }
    double[] coefficients = new double[LOW * LOW];
    for (int u = 0; u < LOW; u++) {
      for (int v = 0; v < LOW; v++) {
        double s = 0;
        for (int y = 0; y < SIDE; y++) {
          s += tmp[y][v] * COS[u][y];
        }
        // scipy's dct (norm=None) doubles along each axis; kept so the values match imagehash's.
        coefficients[u * LOW + v] = 4 * s;
      }
    }
    double[] sorted = coefficients.clone();
    Arrays.sort(sorted);
    double median = (sorted[LOW * LOW / 2 - 1] + sorted[LOW * LOW / 2]) / 2;
    long bits = 0;
    for (int i = 0; i < coefficients.length; i++) {
      if (coefficients[i] > median + TIE) {
        bits |= 1L << (LOW * LOW - 1 - i);
      }
    }
    return new PerceptualHash(bits);
  }

  /**
   * The Hamming distance between two hashes: how many of the 64 bits differ.
   *
   * @param a one hash
   * @param b the other
   * @return 0 (same structure) to 64
   */
  public static int distance(PerceptualHash a, PerceptualHash b) {
    return Long.bitCount(a.bits ^ b.bits);
  }

  /**
   * The Hamming distance between the hashes of two images.
   *
   * @param a one image
   * @param b the other
   * @return 0 (same structure) to 64
   */
  public static int distance(RgbImage a, RgbImage b) {
    return distance(of(a), of(b));
  }

  /**
   * Whether two hashes are at most {@link #NEAR_DUPLICATE_MAX_DISTANCE} apart.
   *
   * @param other the other hash
   * @return true for a near-duplicate
   */
  public boolean isNearDuplicateOf(PerceptualHash other) {
    return distance(this, other) <= NEAR_DUPLICATE_MAX_DISTANCE;
  }

  /**
   * The hash as 16 lowercase hex digits, most significant first.
   *
   * @return the hex text
   */
  public String toHex() {
    return HexFormat.of().toHexDigits(bits);
  }

  /**
   * Reads a hash written by {@link #toHex}.
   *
   * @param hex 16 hex digits, either case
   * @return the hash
   * @throws IllegalArgumentException if {@code hex} is not 16 hex digits
   */
  public static PerceptualHash fromHex(String hex) {
    if (hex.length() != 16 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("hash must be 16 hex digits but was '" + hex + "'");
    }
    return new PerceptualHash(HexFormat.fromHexDigitsToLong(hex));
  }

  /** Describes the hash in hex. */
  @Override
  public String toString() {
    return "PerceptualHash[" + toHex() + "]";
  }

  /** The image as PIL "L" grey, resized to 32x32, row-major. */
  private static double[] grey32(RgbImage image) {
    byte[] rgb = image.rgb();
    byte[] grey = new byte[rgb.length];
    for (int i = 0; i < rgb.length; i += 3) {
      byte l = (byte) Mask.luma(rgb[i] & 0xff, rgb[i + 1] & 0xff, rgb[i + 2] & 0xff);
      grey[i] = l;
      grey[i + 1] = l;
      grey[i + 2] = l;
    }
    RgbImage small =
        Compositor.resizeBicubic(new RgbImage(image.width(), image.height(), grey), SIDE, SIDE);
    double[] out = new double[SIDE * SIDE];
    for (int p = 0; p < out.length; p++) {
      out[p] = small.rgb()[p * 3] & 0xff;
    }
    return out;
  }
}
