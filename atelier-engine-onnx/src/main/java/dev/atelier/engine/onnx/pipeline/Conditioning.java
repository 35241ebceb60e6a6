package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.model.UNet;
import dev.atelier.engine.onnx.pipeline.internal.Tensors;

/**
 * The text side of a run as the UNet sees it, in diffusers' batch order, plus the plain
 * classifier-free-guidance step that 4-channel pipelines share.
 *
 * @param guided whether the UNet batch carries an unconditional half
 * @param hidden {@code [uncond x n, cond x n]} when guided, else {@code [cond x n]}
 * @param hiddenShape its shape
 * @param timestepCond LCM's guidance embedding {@code [n, dim]}, or empty when the UNet has none
 */
record Conditioning(boolean guided, float[] hidden, long[] hiddenShape, float[] timestepCond) {

  /**
   * Encodes the prompts for {@code unet}: classifier-free guidance when the scale is above 1 and
   * the UNet does not embed the guidance itself (LCM's {@code timestep_cond}).
   */
  static Conditioning forGuidance(PromptEncoder prompts, Prompting p, UNet unet, RunContext ctx) {
    boolean lcm = unet.timestepCondDim().isPresent();
    boolean guided = p.guidanceScale() > 1 && !lcm;
    float[] cond = Tensors.repeat(prompts.embed(p.prompt(), ctx.timings()), p.n());
    float[] hidden = cond;
    if (guided) {
      float[] uncond = Tensors.repeat(prompts.embed(p.negativePrompt(), ctx.timings()), p.n());
      hidden = Tensors.concat(uncond, cond);
    }
    float[] timestepCond =
        lcm
            ? Guidance.guidanceEmbedding(
                p.guidanceScale(), unet.timestepCondDim().getAsInt(), p.n())
            : new float[0];
    return new Conditioning(
        guided, hidden, shape(prompts, guided ? 2 * p.n() : p.n()), timestepCond);
  }

  /** {@code [cond x n, uncond x n, uncond x n]}: InstructPix2Pix's order when guided. */
  static Conditioning forInstructPix2Pix(
      PromptEncoder prompts, Prompting p, boolean guided, RunContext ctx) {
    float[] cond = Tensors.repeat(prompts.embed(p.prompt(), ctx.timings()), p.n());
    if (!guided) {
      return new Conditioning(false, cond, shape(prompts, p.n()), new float[0]);
    }
    float[] uncond = Tensors.repeat(prompts.embed(p.negativePrompt(), ctx.timings()), p.n());
    return new Conditioning(
        true, Tensors.concat(cond, uncond, uncond), shape(prompts, 3 * p.n()), new float[0]);
  }

  /**
   * The step model of a plain 4-channel UNet: the latents twice when guided, combined as {@code u +
   * g * (c - u)}.
   */
  StepModel plainStep(double guidanceScale) {
    return new StepModel() {
      @Override
      public UNetBatch assemble(float[] scaled, long[] s, float t) {
        float[] sample = guided ? Tensors.concat(scaled, scaled) : scaled;
        long[] sampleShape = {guided ? 2 * s[0] : s[0], 4, s[2], s[3]};
        return new UNetBatch(sample, sampleShape, hidden, hiddenShape, timestepCond);
      }

      @Override
      public float[] combine(float[] out) {
        return guided ? Guidance.classifierFree(out, guidanceScale) : out;
      }
    };
  }

  private static long[] shape(PromptEncoder prompts, int batch) {
    return new long[] {batch, prompts.length(), prompts.hidden()};
  }
}
