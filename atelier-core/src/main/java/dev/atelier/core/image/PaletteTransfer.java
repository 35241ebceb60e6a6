package dev.atelier.core.image;

import java.util.List;

/**
 * Reinhard colour transfer in CIELAB: moves an image's per-channel mean and standard deviation of
 * L*, a* and b* to those of a reference, blended by a weight.
 *
 * <p>Each pixel's Lab value {@code v} becomes {@code v + w * (t - v)} with {@code t = (v - mu_out)
 * * sigma_ref / sigma_out + mu_ref} per channel (a channel with zero spread keeps its spread), and
 * is converted back to 8-bit sRGB through the inverse of {@link ColorSpaces}' chain, clipped to the
 * gamut. Weight 1 gives the reference's statistics (up to clipping and rounding); weight 0 returns
 * the image itself. This is E. Reinhard et al., "Color Transfer between Images", IEEE CG&A 21(5),
 * 2001, in CIELAB instead of l-alpha-beta. Pure and thread-safe.
 */
public final class PaletteTransfer {
  // The inverse of ColorSpaces' four-decimal sRGB-to-XYZ matrix, so that round trips are exact.
  private static final double[][] XYZ_TO_LINEAR =
      invert(
          new double[][] {
            {0.4124, 0.3576, 0.1805}, {0.2126, 0.7152, 0.0722}, {0.0193, 0.1192, 0.9505}
          });
  private static final double DELTA = 6.0 / 29.0;

  private PaletteTransfer() {}

  /**
   * Mean and standard deviation of L*, a* and b* over an image's pixels.
   *
   * @param mean {@code {L, a, b}}
   * @param std {@code {L, a, b}}
   */
  public record Stats(double[] mean, double[] std) {
    /** Checks the lengths. */
    public Stats {
      if (mean.length != 3 || std.length != 3) {
        throw new IllegalArgumentException(
            "mean and std must hold 3 values (L, a, b) but hold "
                + mean.length
                + " and "
                + std.length);
      }
      mean = mean.clone();
      std = std.clone();
    }

    /** The mean colour as a {@link ColorSpaces.Lab}. */
    public ColorSpaces.Lab meanLab() {
      return new ColorSpaces.Lab(mean[0], mean[1], mean[2]);
    }
  }

  /** The Lab statistics of {@code image}. */
  public static Stats statistics(RgbImage image) {
    double[][] lab = toLab(image);
    double[] mean = new double[3];
    double[] std = new double[3];
    int n = lab[0].length;
    for (int c = 0; c < 3; c++) {
      double sum = 0;
      for (double v : lab[c]) {
        sum += v;
      }
      mean[c] = sum / n;
      double sq = 0;
      for (double v : lab[c]) {
        sq += (v - mean[c]) * (v - mean[c]);
      }
      std[c] = Math.sqrt(sq / n);
    }
    return new Stats(mean, std);
  }

  /**
   * The channel-wise average of several images' statistics (several references as one).
   *
   * @throws IllegalArgumentException when {@code all} is empty
   */
  public static Stats average(List<Stats> all) {
    if (all.isEmpty()) {
      throw new IllegalArgumentException("at least 1 statistics set is needed but got 0");
    }
    double[] mean = new double[3];
    double[] std = new double[3];
    for (Stats s : all) {
      for (int c = 0; c < 3; c++) {
        mean[c] += s.mean()[c] / all.size();
        std[c] += s.std()[c] / all.size();
      }
    }
    return new Stats(mean, std);
  }

  /**
   * Transfers {@code reference}'s palette to {@code out}.
   *
   * @param weight 0 (unchanged) to 1 (the reference's statistics)
   * @throws IllegalArgumentException when {@code weight} is outside [0, 1]
   */
  public static RgbImage apply(RgbImage out, RgbImage reference, double weight) {
    checkWeight(weight);
    return weight == 0 ? out : apply(out, statistics(reference), weight);
  }

  /**
   * Transfers the palette described by {@code target} to {@code out}.
   *
   * @param weight 0 (unchanged) to 1 (the target statistics)
   * @throws IllegalArgumentException when {@code weight} is outside [0, 1]
   */
  public static RgbImage apply(RgbImage out, Stats target, double weight) {
    checkWeight(weight);
    if (weight == 0) {
      return out;
    }
    Stats own = statistics(out);
    double[][] lab = toLab(out);
    int n = lab[0].length;
    byte[] rgb = new byte[n * 3];
    double[] v = new double[3];
    for (int p = 0; p < n; p++) {
      for (int c = 0; c < 3; c++) {
        double ratio = own.std()[c] > 1e-9 ? target.std()[c] / own.std()[c] : 1;
        double t = (lab[c][p] - own.mean()[c]) * ratio + target.mean()[c];
        v[c] = lab[c][p] + weight * (t - lab[c][p]);
      }
      labToSrgb(v[0], v[1], v[2], rgb, p * 3);
    }
    return new RgbImage(out.width(), out.height(), rgb);
  }

  /**
   * Converts one CIELAB colour to 8-bit sRGB, clipping to the gamut.
   *
   * @return {@code 0xRRGGBB}
   */
  public static int labToSrgb(double l, double a, double b) {
    byte[] rgb = new byte[3];
    labToSrgb(l, a, b, rgb, 0);
    return (rgb[0] & 0xff) << 16 | (rgb[1] & 0xff) << 8 | (rgb[2] & 0xff);
  }

  private static void labToSrgb(double l, double a, double b, byte[] out, int at) {
    double fy = (l + 16) / 116;
    double fx = fy + a / 500;
    double fz = fy - b / 200;
    double x = ColorSpaces.WHITE_X * finv(fx);
    double y = ColorSpaces.WHITE_Y * finv(fy);
    double z = ColorSpaces.WHITE_Z * finv(fz);
    for (int c = 0; c < 3; c++) {
      double[] row = XYZ_TO_LINEAR[c];
      double lin = row[0] * x + row[1] * y + row[2] * z;
      out[at + c] = (byte) encode(lin);
    }
  }

  private static int encode(double linear) {
    double c = Math.min(1, Math.max(0, linear));
    double s = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
    return (int) Math.round(Math.min(1, Math.max(0, s)) * 255);
  }

  /** The inverse of CIE's piecewise cube root. */
  private static double finv(double t) {
    return t > DELTA ? t * t * t : 3 * DELTA * DELTA * (t - 4.0 / 29.0);
  }

  private static double[][] toLab(RgbImage image) {
    int n = image.width() * image.height();
    double[][] lab = new double[3][n];
    byte[] rgb = image.rgb();
    for (int p = 0; p < n; p++) {
      ColorSpaces.Lab c =
          ColorSpaces.srgbToLab(rgb[p * 3] & 0xff, rgb[p * 3 + 1] & 0xff, rgb[p * 3 + 2] & 0xff);
      lab[0][p] = c.l();
      lab[1][p] = c.a();
      lab[2][p] = c.b();
    }
    return lab;
  }

  private static void checkWeight(double weight) {
    if (!(weight >= 0 && weight <= 1)) {
      throw new IllegalArgumentException("weight must be in 0..1 but was " + weight);
    }
  }

  private static double[][] invert(double[][] m) {
    double det =
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    double[][] r = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        int i1 = (j + 1) % 3;
        int i2 = (j + 2) % 3;
        int j1 = (i + 1) % 3;
        int j2 = (i + 2) % 3;
        r[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / det;
      }
    }
    return r;
  }
}
