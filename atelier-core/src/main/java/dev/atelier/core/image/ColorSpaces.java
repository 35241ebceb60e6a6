package dev.atelier.core.image;

/**
 * Converts 8-bit sRGB colours to CIE XYZ and CIELAB, in double precision, for colour-difference
 * metrics such as {@link Ciede2000}.
 *
 * <p>The chain is the one IEC 61966-2-1 (sRGB) and CIE 15 define: each 8-bit value {@code v}
 * becomes {@code c = v / 255}, is linearised with the sRGB transfer function ({@code c / 12.92} up
 * to 0.04045, otherwise {@code ((c + 0.055) / 1.055)^2.4}), the linear triple is mapped to XYZ with
 * the standard's four-decimal D65 matrix, and XYZ goes to L*a*b* with the CIE's exact constants
 * {@code epsilon = 216 / 24389} and {@code kappa = 24389 / 27}.
 *
 * <p>The reference white is the image of sRGB white under that same matrix (its row sums, X =
 * 0.9505, Y = 1, Z = 1.089), so that {@code (255, 255, 255)} maps to L* = 100, a* = b* = 0 and
 * every grey to a* = b* = 0 up to rounding; using the rounded CIE D65 white (0.95047, 1, 1.08883)
 * would tint greys by a few thousandths. All methods are pure and thread-safe.
 */
public final class ColorSpaces {

  /** The reference white's X: the sum of the matrix's first row. */
  public static final double WHITE_X = 0.4124 + 0.3576 + 0.1805;

  /** The reference white's Y. */
  public static final double WHITE_Y = 0.2126 + 0.7152 + 0.0722;

  /** The reference white's Z: the sum of the matrix's third row. */
  public static final double WHITE_Z = 0.0193 + 0.1192 + 0.9505;

  private static final double EPSILON = 216.0 / 24389.0;
  private static final double KAPPA = 24389.0 / 27.0;

  /** Only 256 inputs exist, so the transfer function is evaluated once per value. */
  private static final double[] LINEAR = new double[256];

  static {
    for (int v = 0; v < 256; v++) {
      double c = v / 255.0;
      LINEAR[v] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
  }

  private ColorSpaces() {}

  /**
   * A CIELAB colour.
   *
   * @param l lightness L*, 0 for black and 100 for the reference white
   * @param a the green (negative) to red (positive) axis a*
   * @param b the blue (negative) to yellow (positive) axis b*
   */
  public record Lab(double l, double a, double b) {

    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException if a component is NaN or infinite
     */
    public Lab {
      if (!Double.isFinite(l) || !Double.isFinite(a) || !Double.isFinite(b)) {
        throw new IllegalArgumentException(
            "L*, a* and b* must be finite but were %s, %s, %s".formatted(l, a, b));
      }
    }
  }

  /**
   * Linearises one 8-bit sRGB channel value.
   *
   * @param value the encoded value, 0..255
   * @return the linear-light value in [0, 1]
   * @throws IllegalArgumentException if {@code value} lies outside 0..255
   */
  public static double srgbToLinear(int value) {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("sRGB value must be in 0..255 but was " + value);
    }
    return LINEAR[value];
  }

  /**
   * Maps linear-light sRGB to CIE XYZ relative to D65, with Y = 1 for white.
   *
   * @param r linear red
   * @param g linear green
   * @param b linear blue
   * @return {@code {X, Y, Z}}
   */
  public static double[] linearToXyz(double r, double g, double b) {
    return new double[] {
      0.4124 * r + 0.3576 * g + 0.1805 * b,
      0.2126 * r + 0.7152 * g + 0.0722 * b,
      0.0193 * r + 0.1192 * g + 0.9505 * b
    };
  }

  /**
   * Maps CIE XYZ to CIELAB relative to this class's reference white.
   *
   * @param x X, with Y = 1 for white
   * @param y Y
   * @param z Z
   * @return the L*a*b* colour
   */
  public static Lab xyzToLab(double x, double y, double z) {
    double fx = f(x / WHITE_X);
    double fy = f(y / WHITE_Y);
    double fz = f(z / WHITE_Z);
    return new Lab(116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz));
  }

  /**
   * Converts one 8-bit sRGB colour to CIELAB.
   *
   * @param r red, 0..255
   * @param g green, 0..255
   * @param b blue, 0..255
   * @return the L*a*b* colour
   * @throws IllegalArgumentException if a value lies outside 0..255
   */
  public static Lab srgbToLab(int r, int g, int b) {
    double[] xyz = linearToXyz(srgbToLinear(r), srgbToLinear(g), srgbToLinear(b));
    return xyzToLab(xyz[0], xyz[1], xyz[2]);
  }

  /**
   * Converts one pixel packed as {@code 0xRRGGBB}, as {@link RgbImage#rgbAt} returns it.
   *
   * @param rgb the packed colour; the top byte is ignored
   * @return the L*a*b* colour
   */
  public static Lab srgbToLab(int rgb) {
    return srgbToLab((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
  }

  /** CIE's piecewise cube root, linear near zero so that the slope stays finite. */
  /**
   * {@link #srgbToLab(int, int, int)} into {@code out} as {L*, a*, b*}, with the same arithmetic
   * and so the same bits, for loops over every pixel that should not allocate.
   */
  static void srgbToLab(int r, int g, int b, double[] out) {
    double lr = LINEAR[r];
    double lg = LINEAR[g];
    double lb = LINEAR[b];
    double fx = f((0.4124 * lr + 0.3576 * lg + 0.1805 * lb) / WHITE_X);
    double fy = f((0.2126 * lr + 0.7152 * lg + 0.0722 * lb) / WHITE_Y);
    double fz = f((0.0193 * lr + 0.1192 * lg + 0.9505 * lb) / WHITE_Z);
    out[0] = 116.0 * fy - 16.0;
    out[1] = 500.0 * (fx - fy);
    out[2] = 200.0 * (fy - fz);
  }

  private static double f(double t) {
    return t > EPSILON ? Math.cbrt(t) : (KAPPA * t + 16.0) / 116.0;
  }
}
