package dev.atelier.engine.onnx.scheduler;

import dev.atelier.engine.onnx.scheduler.internal.F32;

/**
 * The DPM-Solver update rules from step {@code index} to {@code index + 1}, in float32 with every
 * operation rounded as torch rounds it (each scalar coefficient a 0-d tensor, each tensor product
 * and difference its own kernel).
 */
final class DpmSolverUpdates {
  private final float[] sigmas;
  private final int index;
  private final boolean plusPlus;
  private final float alphaT;
  private final float sigmaT;
  private final float lambdaT;

  DpmSolverUpdates(float[] sigmas, int index, boolean plusPlus) {
    this.sigmas = sigmas;
    this.index = index;
    this.plusPlus = plusPlus;
    alphaT = alpha(index + 1);
    sigmaT = sigmas[index + 1] * alphaT;
    lambdaT = lambda(index + 1);
  }

  private float alpha(int i) {
    float s = sigmas[i];
    return 1f / F32.sqrt(s * s + 1f);
  }

  private float lambda(int i) {
    float a = alpha(i);
    return F32.log(a) - F32.log(sigmas[i] * a);
  }

  /** The coefficient of the sample: sigma_t / sigma_s0 for ++, alpha_t / alpha_s0 otherwise. */
  private float sampleCoefficient() {
    float alphaS = alpha(index);
    return plusPlus ? sigmaT / (sigmas[index] * alphaS) : alphaT / alphaS;
  }

  /** {@code exp(-h) - 1} scaled by alpha_t for ++, {@code exp(h) - 1} by sigma_t otherwise. */
  private float expm1Term(float h) {
    return plusPlus ? alphaT * (F32.exp(-h) - 1f) : sigmaT * (F32.exp(h) - 1f);
  }

  float[] firstOrder(float[] sample, float[] m0) {
    float h = lambdaT - lambda(index);
    return combine(sample, sampleCoefficient(), m0, -expm1Term(h), null, 0f, null, 0f);
  }

  float[] secondOrder(boolean heun, float[] sample, float[] m0, float[] m1) {
    float lambdaS0 = lambda(index);
    float h = lambdaT - lambdaS0;
    float r0 = (lambdaS0 - lambda(index - 1)) / h;
    float[] d1 = scaledDiff(1f / r0, m0, m1);
    float c1;
    if (!heun) {
      c1 = -(0.5f * expm1Term(h));
    } else if (plusPlus) {
      c1 = alphaT * ((F32.exp(-h) - 1f) / h + 1f);
    } else {
      c1 = -(sigmaT * ((F32.exp(h) - 1f) / h - 1f));
    }
    return combine(sample, sampleCoefficient(), m0, -expm1Term(h), d1, c1, null, 0f);
  }

  float[] thirdOrder(float[] sample, float[] m0, float[] m1, float[] m2) {
    float lambdaS0 = lambda(index);
    float lambdaS1 = lambda(index - 1);
    float h = lambdaT - lambdaS0;
    float r0 = (lambdaS0 - lambdaS1) / h;
    float r1 = (lambdaS1 - lambda(index - 2)) / h;
    float[] d10 = scaledDiff(1f / r0, m0, m1);
    float[] d11 = scaledDiff(1f / r1, m1, m2);
    float[] d1 = new float[d10.length];
    float[] d2 = scaledDiff(1f / (r0 + r1), d10, d11);
    float w = r0 / (r0 + r1);
    for (int i = 0; i < d1.length; i++) {
      d1[i] = d10[i] + w * (d10[i] - d11[i]);
    }
    float c1;
    float c2;
    if (plusPlus) {
      float e = F32.exp(-h);
      c1 = alphaT * ((e - 1f) / h + 1f);
      c2 = -(alphaT * ((e - 1f + h) / (h * h) - 0.5f));
    } else {
      float e = F32.exp(h);
      c1 = -(sigmaT * ((e - 1f) / h - 1f));
      c2 = -(sigmaT * ((e - 1f - h) / (h * h) - 0.5f));
    }
    return combine(sample, sampleCoefficient(), m0, -expm1Term(h), d1, c1, d2, c2);
  }

  private static float[] scaledDiff(float scale, float[] a, float[] b) {
    float[] out = new float[a.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = scale * (a[i] - b[i]);
    }
    return out;
  }

  /**
   * {@code cs * s + c0 * d0 + c1 * d1 + c2 * d2}, summed left to right. Subtracting a product in
   * diffusers equals adding the product with a negated coefficient bit for bit.
   */
  private static float[] combine(
      float[] s, float cs, float[] d0, float c0, float[] d1, float c1, float[] d2, float c2) {
    float[] out = new float[s.length];
    for (int i = 0; i < out.length; i++) {
      float x = cs * s[i] + c0 * d0[i];
      if (d1 != null) {
        x += c1 * d1[i];
      }
      if (d2 != null) {
        x += c2 * d2[i];
      }
      out[i] = x;
    }
    return out;
  }
}
