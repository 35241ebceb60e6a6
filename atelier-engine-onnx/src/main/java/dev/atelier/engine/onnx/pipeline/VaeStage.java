package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.core.NoiseMode;
import dev.atelier.engine.onnx.model.LatentDistribution;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.VaeEncoder;
import dev.atelier.engine.onnx.pipeline.internal.Tensors;
import dev.atelier.engine.onnx.rng.NoiseSource;

/** Moving between pixels and latents with the model's VAE and scaling factor. */
final class VaeStage {
  private VaeStage() {}

  /** Encodes one image {@code [1, 3, H, W]} in [-1, 1]. */
  static LatentDistribution encode(
      StableDiffusionModel model, float[] pixels, int width, int height, RunContext ctx) {
    VaeEncoder encoder =
        model
            .vaeEncoder()
            .orElseThrow(
                () ->
                    new AtelierException.InvalidRequest(
                        "model",
                        "model "
                            + model.name()
                            + " has no vae_encoder/model.onnx, which editing an image needs"));
    long t0 = System.nanoTime();
    LatentDistribution d = encoder.encode(pixels, new long[] {1, 3, height, width});
    ctx.timings().add(StageTimings.VAE_ENCODER, System.nanoTime() - t0);
    return d;
  }

  /**
   * Samples {@code n} scaled latents from a one-image distribution, drawing like diffusers: one
   * draw for the image, then repeated ({@link NoiseMode#BATCH}); or one draw per image from each
   * image's own generator ({@link NoiseMode#PER_IMAGE}).
   */
  static float[] sampleScaled(
      LatentDistribution d, int n, NoiseSource noise, NoiseMode mode, float scalingFactor) {
    float[] sample;
    if (mode == NoiseMode.PER_IMAGE) {
      long[] shape = d.shape().clone();
      shape[0] = n;
      LatentDistribution tiled =
          new LatentDistribution(Tensors.repeat(d.mean(), n), Tensors.repeat(d.std(), n), shape);
      sample = tiled.sample(noise);
    } else {
      sample = Tensors.repeat(d.sample(noise), n);
    }
    return Tensors.scale(sample, scalingFactor);
  }

  /**
   * Draws what encoding and sampling would draw, without running the encoder: for samples the
   * reference pipeline computes but never uses (the masked image of a 4-channel inpaint).
   */
  static void skipSample(long[] latentShape, int n, NoiseSource noise, NoiseMode mode) {
    long[] shape = latentShape.clone();
    shape[0] = mode == NoiseMode.PER_IMAGE ? n : 1;
    noise.randn(shape);
  }

  /**
   * Decodes {@code [n, 4, h, w]} scaled latents one image at a time (bounded memory) to {@code [n,
   * H, W, 3]} floats in [0, 1]: {@code clamp(x / 2 + 0.5, 0, 1)}.
   */
  static PipelineOutput decode(
      StableDiffusionModel model, float[] latents, long[] shape, RunContext ctx) {
    int n = (int) shape[0];
    int per = latents.length / n;
    long[] one = {1, shape[1], shape[2], shape[3]};
    int width = (int) shape[3] * model.vaeScaleFactor();
    int height = (int) shape[2] * model.vaeScaleFactor();
    int hw = width * height;
    float[] out = new float[n * hw * 3];
    for (int b = 0; b < n; b++) {
      ctx.cancel().throwIfCancelled("before decoding image " + (b + 1) + " of " + n);
      float[] slice = new float[per];
      System.arraycopy(latents, b * per, slice, 0, per);
      float[] unscaled = Tensors.divide(slice, model.decodeScalingFactor());
      long t0 = System.nanoTime();
      float[] chw = model.vaeDecoder().decode(unscaled, one, ctx.cancel());
      ctx.timings().add(StageTimings.VAE_DECODER, System.nanoTime() - t0);
      if (chw.length != 3 * hw) {
        throw new AtelierException.EngineFailure(
            "vae_decoder/model.onnx returned "
                + chw.length
                + " values; expected 3x"
                + height
                + "x"
                + width,
            null);
      }
      int base = b * hw * 3;
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < hw; p++) {
          float v = chw[c * hw + p] / 2f + 0.5f;
          out[base + p * 3 + c] = Math.min(1f, Math.max(0f, v));
        }
      }
    }
    return new PipelineOutput(n, width, height, out);
  }
}
