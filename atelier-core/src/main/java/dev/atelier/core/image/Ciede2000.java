package dev.atelier.core.image;

/**
 * The CIEDE2000 colour difference (CIE 142-2001), as Sharma, Wu and Dalal spell it out step by step
 * in "The CIEDE2000 color-difference formula: implementation notes, supplementary test data, and
 * mathematical observations", Color Research and Application 30(1), 2005.
 *
 * <p>The parametric weights kL, kC and kH are 1, the reference conditions. Angles are handled in
 * degrees as in the paper, and its two conventions that implementations most often get wrong are
 * kept: a colour with zero chroma has hue 0 and contributes no hue difference, and the mean hue of
 * two hues more than 180 degrees apart is taken the short way round the circle. The formula is
 * symmetric in its arguments but, as the paper shows, not continuous at such hue pairs.
 *
 * <p>A difference near 1 is about the smallest a trained observer notices side by side; ordinary
 * JPEG re-encoding of a photo moves most pixels by less than 2.
 */
public final class Ciede2000 {

  /** 25^7, the constant in the chroma weighting G and the rotation term R_C. */
  private static final double POW25_7 = 6103515625.0;

  private Ciede2000() {}

  /**
   * Returns the CIEDE2000 difference between two CIELAB colours.
   *
   * @param first one colour
   * @param second the other colour
   * @return Delta E 00, at least 0
   */
  public static double deltaE(ColorSpaces.Lab first, ColorSpaces.Lab second) {
    return deltaE(first.l(), first.a(), first.b(), second.l(), second.a(), second.b());
  }

  /**
   * Returns the CIEDE2000 difference between two CIELAB colours given by their components.
   *
   * @param l1 L* of the first colour
   * @param a1 a* of the first colour
   * @param b1 b* of the first colour
   * @param l2 L* of the second colour
   * @param a2 a* of the second colour
   * @param b2 b* of the second colour
   * @return Delta E 00, at least 0; NaN if any input is NaN
   */
  public static double deltaE(double l1, double a1, double b1, double l2, double a2, double b2) {
    // Step 1 (paper eqs. 2-7): stretch a* so that near-neutral colours get more chroma.
    double meanCab = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2.0;
    double meanCab7 = Math.pow(meanCab, 7);
    double g = 0.5 * (1.0 - Math.sqrt(meanCab7 / (meanCab7 + POW25_7)));
    double a1p = (1.0 + g) * a1;
    double a2p = (1.0 + g) * a2;
    double c1p = Math.hypot(a1p, b1);
    double c2p = Math.hypot(a2p, b2);
    double h1p = hueDegrees(a1p, b1);
    double h2p = hueDegrees(a2p, b2);

    // Step 2 (eqs. 8-11): differences; a neutral colour has no hue to differ in.
    double dLp = l2 - l1;
    double dCp = c2p - c1p;
    double chromaProduct = c1p * c2p;
    double dhp;
    if (chromaProduct == 0.0) {
      dhp = 0.0;
    } else {
      dhp = h2p - h1p;
      if (dhp > 180.0) {
        dhp -= 360.0;
      } else if (dhp < -180.0) {
        dhp += 360.0;
      }
    }
    double dHp = 2.0 * Math.sqrt(chromaProduct) * Math.sin(Math.toRadians(dhp / 2.0));

    // Step 3 (eqs. 12-22): weighting functions evaluated at the pair's means.
    double meanLp = (l1 + l2) / 2.0;
    double meanCp = (c1p + c2p) / 2.0;
    double meanHp = meanHue(h1p, h2p, chromaProduct);
    double t =
        1.0
            - 0.17 * cosDeg(meanHp - 30.0)
            + 0.24 * cosDeg(2.0 * meanHp)
            + 0.32 * cosDeg(3.0 * meanHp + 6.0)
            - 0.20 * cosDeg(4.0 * meanHp - 63.0);
    double hueOffset = (meanHp - 275.0) / 25.0;
    double dTheta = 30.0 * Math.exp(-hueOffset * hueOffset);
    double meanCp7 = Math.pow(meanCp, 7);
    double rc = 2.0 * Math.sqrt(meanCp7 / (meanCp7 + POW25_7));
    double lOffset2 = (meanLp - 50.0) * (meanLp - 50.0);
    double sl = 1.0 + 0.015 * lOffset2 / Math.sqrt(20.0 + lOffset2);
    double sc = 1.0 + 0.045 * meanCp;
    double sh = 1.0 + 0.015 * meanCp * t;
    double rt = -Math.sin(Math.toRadians(2.0 * dTheta)) * rc;

    double lTerm = dLp / sl;
    double cTerm = dCp / sc;
    double hTerm = dHp / sh;
    double sum = lTerm * lTerm + cTerm * cTerm + hTerm * hTerm + rt * cTerm * hTerm;
    // The rotation term can make the sum a rounding error below zero for identical colours.
    return Math.sqrt(Math.max(0.0, sum));
  }

  /** Hue angle in [0, 360); 0 for a neutral colour, whose atan2(0, 0) the paper defines as 0. */
  private static double hueDegrees(double ap, double b) {
    if (ap == 0.0 && b == 0.0) {
      return 0.0;
    }
    double h = Math.toDegrees(Math.atan2(b, ap));
    return h < 0.0 ? h + 360.0 : h;
  }

  /** The paper's eq. 14: the mean taken across the 0/360 seam when the hues straddle it. */
  private static double meanHue(double h1p, double h2p, double chromaProduct) {
    if (chromaProduct == 0.0) {
      return h1p + h2p;
    }
    if (Math.abs(h1p - h2p) <= 180.0) {
      return (h1p + h2p) / 2.0;
    }
    return h1p + h2p < 360.0 ? (h1p + h2p + 360.0) / 2.0 : (h1p + h2p - 360.0) / 2.0;
  }

  private static double cosDeg(double degrees) {
    return Math.cos(Math.toRadians(degrees));
  }
}
