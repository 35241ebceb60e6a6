package dev.atelier.engine.onnx.scheduler.internal;

/**
 * Float32 arithmetic as torch does it on 0-d tensors, plus the elementwise kernels the schedulers
 * share.
 *
 * <p>Going through double and rounding once gives the correctly rounded float result, which is what
 * torch's scalar CPU kernels return for sqrt and (to within one ulp) for log and exp.
 */
public final class F32 {
  private F32() {}

  /** Correctly rounded float32 square root. */
  public static float sqrt(float x) {
    return (float) Math.sqrt(x);
  }

  /** Float32 natural logarithm. */
  public static float log(float x) {
    return (float) Math.log(x);
  }

  /** Float32 exponential. */
  public static float exp(float x) {
    return (float) Math.exp(x);
  }

  /** {@code a * x + b * y} elementwise with each product and the sum rounded (no fused ops). */
  public static float[] axpby(float a, float[] x, float b, float[] y) {
    float[] out = new float[x.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = a * x[i] + b * y[i];
    }
    return out;
  }

  /** {@code (x - a * y) / b} elementwise, rounding after every operation. */
  public static float[] subScaledDiv(float[] x, float a, float[] y, float b) {
    float[] out = new float[x.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (x[i] - a * y[i]) / b;
    }
    return out;
  }

  /** Clamps every element into {@code [-range, range]}. */
  public static void clamp(float[] x, float range) {
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.max(-range, Math.min(range, x[i]));
    }
  }

  /** Checks that two latents have the same element count. */
  public static void sameLength(float[] a, float[] b, String what) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          what + " must have " + b.length + " elements like the sample but had " + a.length);
    }
  }
}
