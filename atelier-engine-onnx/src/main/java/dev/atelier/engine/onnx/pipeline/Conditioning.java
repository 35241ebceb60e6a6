package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.pipeline.internal.Tensors;

/** Builds the text-embedding batches the UNet sees, in diffusers' order. */
final class Conditioning {
  private Conditioning() {}

  /**
   * {@code [uncond x n, cond x n]} when guiding, else {@code [cond x n]}.
   *
   * @return the flattened batch; its shape is {@link #shape}
   */
  static float[] forGuidance(PromptEncoder prompts, Prompting p, boolean guided, RunContext ctx) {
    float[] cond = Tensors.repeat(prompts.embed(p.prompt(), ctx.timings()), p.n());
    if (!guided) {
      return cond;
    }
    float[] uncond = Tensors.repeat(prompts.embed(p.negativePrompt(), ctx.timings()), p.n());
    return Tensors.concat(uncond, cond);
  }

  /** {@code [cond x n, uncond x n, uncond x n]}: InstructPix2Pix's order. */
  static float[] forInstructPix2Pix(PromptEncoder prompts, Prompting p, RunContext ctx) {
    float[] cond = Tensors.repeat(prompts.embed(p.prompt(), ctx.timings()), p.n());
    float[] uncond = Tensors.repeat(prompts.embed(p.negativePrompt(), ctx.timings()), p.n());
    return Tensors.concat(cond, uncond, uncond);
  }

  /** The shape of {@code batch} embeddings. */
  static long[] shape(PromptEncoder prompts, int batch) {
    return new long[] {batch, prompts.length(), prompts.hidden()};
  }
}
