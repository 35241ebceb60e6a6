package dev.atelier.engine.onnx.model;

import dev.atelier.engine.onnx.rng.NoiseSource;

/**
 * diffusers' {@code DiagonalGaussianDistribution}: the VAE encoder's mean and standard deviation.
 *
 * @param mean {@code [b, 4, h, w]} flattened
 * @param std {@code exp(0.5 * clamp(logvar, -30, 20))}, same shape (all zero for exports that
 *     sample inside the graph)
 * @param shape the latent shape
 */
public record LatentDistribution(float[] mean, float[] std, long[] shape) {

  static LatentDistribution ofParameters(float[] mean, float[] logvar, long[] shape) {
    float[] std = new float[logvar.length];
    for (int i = 0; i < std.length; i++) {
      float lv = Math.min(Math.max(logvar[i], -30f), 20f);
      std[i] = (float) Math.exp(0.5f * lv);
    }
    return new LatentDistribution(mean, std, shape);
  }

  static LatentDistribution ofSample(float[] sample, long[] shape) {
    return new LatentDistribution(sample, new float[sample.length], shape);
  }

  /** The mode (diffusers {@code sample_mode="argmax"}): the mean. */
  public float[] mode() {
    return mean.clone();
  }

  /**
   * A sample {@code mean + std * randn(shape)}; always draws, so the generator advances exactly as
   * diffusers' does.
   */
  public float[] sample(NoiseSource noise) {
    float[] eps = noise.randn(shape);
    float[] out = new float[mean.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = mean[i] + std[i] * eps[i];
    }
    return out;
  }
}
