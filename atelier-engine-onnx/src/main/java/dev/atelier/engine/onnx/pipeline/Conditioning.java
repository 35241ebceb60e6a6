package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.model.UNet;
import dev.atelier.engine.onnx.pipeline.internal.Tensors;
import java.util.HashMap;
import java.util.Map;

/**
 * The text side of a run as the UNet sees it, in diffusers' batch order, plus the plain
 * classifier-free-guidance step that 4-channel pipelines share.
 *
 * @param guided whether the UNet batch carries an unconditional half
 * @param hidden {@code [uncond x n, cond x n]} when guided, else {@code [cond x n]}
 * @param hiddenShape its shape
 * @param extras the UNet's per-row inputs in the same row order: LCM's guidance embedding {@code
 *     [n, dim]}, SDXL's pooled text and {@code time_ids}; empty where the UNet takes none
 */
record Conditioning(boolean guided, float[] hidden, long[] hiddenShape, UNet.Extras extras) {

  /**
   * Encodes the prompts for {@code unet} making images of {@code width x height}: classifier-free
   * guidance when the scale is above 1 and the UNet does not embed the guidance itself (LCM's
   * {@code timestep_cond}).
   */
  static Conditioning forGuidance(
      PromptEncoder prompts, Prompting p, UNet unet, int width, int height, RunContext ctx) {
    return forGuidance(prompts, p, unet, width, height, ctx, ImageTokens.NONE);
  }

  /**
   * Like {@link #forGuidance(PromptEncoder, Prompting, UNet, int, int, RunContext)}, with image
   * {@code i} conditioned on {@code p.promptOf(i)} (each distinct prompt encoded once) and {@code
   * tokens} appended to every row: {@code tokens.cond()} to conditional rows, {@code
   * tokens.uncond()} to unconditional ones.
   */
  static Conditioning forGuidance(
      PromptEncoder prompts,
      Prompting p,
      UNet unet,
      int width,
      int height,
      RunContext ctx,
      ImageTokens tokens) {
    boolean lcm = unet.timestepCondDim().isPresent();
    boolean guided = p.guidanceScale() > 1 && !lcm;
    Map<String, PromptEncoder.Embedding> distinct = new HashMap<>();
    float[][] condRows = new float[p.n()][];
    float[][] condPooled = new float[p.n()][];
    for (int i = 0; i < p.n(); i++) {
      String first = p.promptOf(i);
      String second = p.prompt2Of(i);
      PromptEncoder.Embedding e =
          distinct.computeIfAbsent(
              first + "\u0000" + second, k -> prompts.embedding(first, second, ctx.timings()));
      condRows[i] = e.hidden();
      condPooled[i] = e.pooled();
    }
    float[] hidden = rows(condRows, tokens.cond());
    float[] pooled = rows(condPooled, new float[0]);
    float[] timeIds =
        unet.takesAddedConditions()
            ? UNet.Extras.timeIds(
                unet.timeIdsDim(), width, height, UNet.Extras.AESTHETIC_SCORE, p.n())
            : new float[0];
    if (guided) {
      PromptEncoder.Embedding negative = prompts.negative(p.negativePrompt(), ctx.timings());
      float[][] uncondRows = new float[p.n()][];
      float[][] uncondPooled = new float[p.n()][];
      java.util.Arrays.fill(uncondRows, negative.hidden());
      java.util.Arrays.fill(uncondPooled, negative.pooled());
      hidden = Tensors.concat(rows(uncondRows, tokens.uncond()), hidden);
      pooled = Tensors.concat(rows(uncondPooled, new float[0]), pooled);
      if (unet.takesAddedConditions()) {
        timeIds =
            Tensors.concat(
                UNet.Extras.timeIds(
                    unet.timeIdsDim(), width, height, UNet.Extras.NEGATIVE_AESTHETIC_SCORE, p.n()),
                timeIds);
      }
    }
    float[] timestepCond =
        lcm
            ? Guidance.guidanceEmbedding(
                p.guidanceScale(), unet.timestepCondDim().getAsInt(), p.n())
            : new float[0];
    long[] shape = shape(prompts, guided ? 2 * p.n() : p.n());
    shape[1] += tokens.count();
    return new Conditioning(
        guided,
        hidden,
        shape,
        new UNet.Extras(
            timestepCond, unet.takesAddedConditions() ? pooled : new float[0], timeIds));
  }

  /** Each text row followed by {@code extra}, rows concatenated along the batch axis. */
  private static float[] rows(float[][] text, float[] extra) {
    int per = text[0].length + extra.length;
    float[] out = new float[text.length * per];
    for (int i = 0; i < text.length; i++) {
      System.arraycopy(text[i], 0, out, i * per, text[i].length);
      System.arraycopy(extra, 0, out, i * per + text[i].length, extra.length);
    }
    return out;
  }

  /** {@code [cond x n, uncond x n, uncond x n]}: InstructPix2Pix's order when guided. */
  static Conditioning forInstructPix2Pix(
      PromptEncoder prompts, Prompting p, boolean guided, RunContext ctx) {
    float[] cond = Tensors.repeat(prompts.embed(p.prompt(), ctx.timings()), p.n());
    if (!guided) {
      return new Conditioning(false, cond, shape(prompts, p.n()), UNet.Extras.NONE);
    }
    float[] uncond = Tensors.repeat(prompts.embed(p.negativePrompt(), ctx.timings()), p.n());
    return new Conditioning(
        true, Tensors.concat(cond, uncond, uncond), shape(prompts, 3 * p.n()), UNet.Extras.NONE);
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
        return new UNetBatch(sample, sampleShape, hidden, hiddenShape, extras);
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
