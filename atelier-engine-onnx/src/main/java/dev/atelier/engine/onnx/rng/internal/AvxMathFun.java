package dev.atelier.engine.onnx.rng.internal;

/**
 * Float32 logarithm, sine and cosine computed exactly as torch's AVX2 normal sampler computes them.
 *
 * <p>torch's x86-64 build evaluates these with the Cephes polynomials of avx_mathfun, compiled with
 * fused multiply-add. Every operation below is a float32 operation and every {@link Math#fma} call
 * stands for one fused instruction of that build, so the results match torch bit for bit; they are
 * not the correctly rounded values that {@link Math#log} and friends aim for. The constants are
 * written as double literals narrowed to float because that is how the C header defines them.
 */
public final class AvxMathFun {
  private static final float SQRT_HALF = (float) 0.707106781186547524;
  private static final float LOG_P0 = (float) 7.0376836292e-2;
  private static final float LOG_P1 = (float) -1.1514610310e-1;
  private static final float LOG_P2 = (float) 1.1676998740e-1;
  private static final float LOG_P3 = (float) -1.2420140846e-1;
  private static final float LOG_P4 = (float) 1.4249322787e-1;
  private static final float LOG_P5 = (float) -1.6668057665e-1;
  private static final float LOG_P6 = (float) 2.0000714765e-1;
  private static final float LOG_P7 = (float) -2.4999993993e-1;
  private static final float LOG_P8 = (float) 3.3333331174e-1;
  private static final float LOG_Q1 = (float) -2.12194440e-4;
  private static final float LOG_Q2 = (float) 0.693359375;

  private static final float FOUR_OVER_PI = (float) 1.27323954473516;
  private static final float MINUS_DP1 = (float) -0.78515625;
  private static final float MINUS_DP2 = (float) -2.4187564849853515625e-4;
  private static final float MINUS_DP3 = (float) -3.77489497744594108e-8;
  private static final float SIN_P0 = (float) -1.9515295891e-4;
  private static final float SIN_P1 = (float) 8.3321608736e-3;
  private static final float SIN_P2 = (float) -1.6666654611e-1;
  private static final float COS_P0 = (float) 2.443315711809948e-5;
  private static final float COS_P1 = (float) -1.388731625493765e-3;
  private static final float COS_P2 = (float) 4.166664568298827e-2;

  private static final int SIGN_BIT = 0x80000000;
  private static final int EXPONENT_BITS = 0x7f800000;
  private static final int HALF_BITS = 0x3f000000;

  private AvxMathFun() {}

  /**
   * Returns avx_mathfun's {@code log256_ps} of {@code x}.
   *
   * <p>Subnormal inputs are treated as the smallest normal float, as the reference clamps them.
   *
   * @param x the argument
   * @return the natural logarithm as torch's AVX2 path computes it; NaN when {@code x <= 0} or NaN
   */
  public static float log(float x) {
    if (!(x > 0f)) {
      return Float.NaN;
    }
    int bits = Float.floatToRawIntBits(Math.max(x, Float.MIN_NORMAL));
    float e = (float) ((bits >>> 23) - 127) + 1f;
    // Keep the mantissa with the exponent of 0.5, so m lies in [0.5, 1).
    float m = Float.intBitsToFloat((bits & ~EXPONENT_BITS) | HALF_BITS);
    if (m < SQRT_HALF) {
      e -= 1f;
      m = (m - 1f) + m;
    } else {
      m -= 1f;
    }
    float z = m * m;
    float y = LOG_P0;
    y = Math.fma(y, m, LOG_P1);
    y = Math.fma(y, m, LOG_P2);
    y = Math.fma(y, m, LOG_P3);
    y = Math.fma(y, m, LOG_P4);
    y = Math.fma(y, m, LOG_P5);
    y = Math.fma(y, m, LOG_P6);
    y = Math.fma(y, m, LOG_P7);
    y = Math.fma(y, m, LOG_P8);
    y *= m;
    y = Math.fma(y, z, e * LOG_Q1);
    y = Math.fma(z, -0.5f, y);
    m += y;
    return Math.fma(e, LOG_Q2, m);
  }

  /**
   * Returns the sine half of avx_mathfun's {@code sincos256_ps} of {@code x}.
   *
   * @param x the angle in radians; accurate for the range the normal sampler uses, [0, 2*pi]
   * @return the sine as torch's AVX2 path computes it
   */
  public static float sin(float x) {
    return sincos(x, true);
  }

  /**
   * Returns the cosine half of avx_mathfun's {@code sincos256_ps} of {@code x}.
   *
   * @param x the angle in radians; accurate for the range the normal sampler uses, [0, 2*pi]
   * @return the cosine as torch's AVX2 path computes it
   */
  public static float cos(float x) {
    return sincos(x, false);
  }

  private static float sincos(float t, boolean wantSin) {
    int signSin = Float.floatToRawIntBits(t) & SIGN_BIT;
    float x = Math.abs(t);
    // Octant index, rounded up to even so the reduced argument lies in [-pi/4, pi/4].
    int j = (int) (x * FOUR_OVER_PI);
    j = (j + 1) & ~1;
    float y = j;
    // Cody-Waite: pi/4 split in three parts so x - j*pi/4 keeps its low bits.
    x = Math.fma(y, MINUS_DP1, x);
    x = Math.fma(y, MINUS_DP2, x);
    x = Math.fma(y, MINUS_DP3, x);
    boolean sinFromSinPoly = (j & 2) == 0;
    signSin ^= (j & 4) << 29;
    int signCos = (~(j - 2) & 4) << 29;

    float z = x * x;
    float c = COS_P0;
    c = Math.fma(c, z, COS_P1);
    c = Math.fma(c, z, COS_P2);
    c = Math.fma(c * z, z, -0.5f * z) + 1f;
    float s = SIN_P0;
    s = Math.fma(s, z, SIN_P1);
    s = Math.fma(s, z, SIN_P2);
    s = Math.fma(s * z, x, x);

    // The reference selects with masks and then adds +0, which turns a -0 result into +0.
    float value;
    int sign;
    if (wantSin) {
      value = (sinFromSinPoly ? s : c) + 0f;
      sign = signSin;
    } else {
      value = (sinFromSinPoly ? c : s) + 0f;
      sign = signCos;
    }
    return Float.intBitsToFloat(Float.floatToRawIntBits(value) ^ sign);
  }
}
