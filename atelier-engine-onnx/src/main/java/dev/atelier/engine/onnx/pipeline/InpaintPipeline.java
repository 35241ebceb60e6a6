package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.AtelierException;
import dev.atelier.engine.onnx.model.LatentDistribution;
import dev.atelier.engine.onnx.model.ModelKind;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.UNet;
import dev.atelier.engine.onnx.pipeline.internal.Tensors;
import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.Scheduler;

/**
 * Inpainting, as diffusers' {@code StableDiffusionInpaintPipeline} and {@code
 * StableDiffusionXLInpaintPipeline} (strength 1 by default; below 1 the run starts from the image's
 * latents noised to the first kept timestep, as image-to-image does).
 *
 * <p>A 9-channel UNet sees {@code [latents, mask, masked-image latents]}; a plain 4-channel UNet
 * inpaints by blending the original latents, noised to the next timestep, back outside the mask
 * after every step. The random draws happen in diffusers' order (image sample for 4 channels,
 * initial noise, masked-image sample), so seeds reproduce the reference.
 */
public final class InpaintPipeline {
  private final StableDiffusionModel model;
  private final PromptEncoder prompts;

  /** Creates the pipeline over a loaded model and its prompt cache. */
  public InpaintPipeline(StableDiffusionModel model, PromptEncoder prompts) {
    this.model = model;
    this.prompts = prompts;
  }

  /**
   * Repaints where {@code mask} is 1.
   *
   * @param image {@code [1, 3, height, width]} in [-1, 1]
   * @param mask {@code height * width} values, binarised (1 = repaint)
   */
  public PipelineOutput run(
      Prompting p,
      float[] image,
      float[] mask,
      int width,
      int height,
      Scheduler scheduler,
      NoiseSource noise,
      RunContext ctx) {
    return run(p, image, mask, width, height, 1.0, scheduler, noise, ctx);
  }

  /**
   * Repaints where {@code mask} is 1, keeping the last {@code steps * strength} steps (diffusers'
   * {@code strength}; SDXL's inpainting pipeline defaults to 0.9999).
   *
   * @throws IllegalArgumentException when the strength leaves no step to run
   */
  public PipelineOutput run(
      Prompting p,
      float[] image,
      float[] mask,
      int width,
      int height,
      double strength,
      Scheduler scheduler,
      NoiseSource noise,
      RunContext ctx) {
    ModelKind kind = model.kind();
    if (kind == ModelKind.INSTRUCT_PIX2PIX) {
      throw new AtelierException.InvalidRequest(
          "model",
          "model "
              + model.name()
              + " is an InstructPix2Pix model; inpainting needs a 4- or"
              + " 9-channel Stable Diffusion model");
    }
    boolean nineChannels = kind == ModelKind.INPAINTING;
    UNet unet = model.unet();
    Conditioning text = Conditioning.forGuidance(prompts, p, unet, width, height, ctx);
    boolean guided = text.guided();
    boolean full = strength >= 1.0;
    float[] timesteps;
    if (full) {
      scheduler.setTimesteps(p.steps());
      timesteps = scheduler.timesteps();
    } else {
      timesteps = Strength.keptTimesteps(scheduler, p.steps(), strength);
    }
    int f = model.vaeScaleFactor();
    int lh = height / f;
    int lw = width / f;
    long[] shape = {p.n(), 4, lh, lw};

    float[] imageLatents = null;
    if (!nineChannels || !full) {
      LatentDistribution d = VaeStage.encode(model, image, width, height, ctx);
      imageLatents = VaeStage.sampleScaled(d, p.n(), noise, p.noiseMode(), model.scalingFactor());
    }
    float[] eps = noise.randn(shape);
    float[] latents =
        full
            ? Tensors.scale(eps, scheduler.initNoiseSigma())
            : scheduler.addNoise(imageLatents, eps, timesteps[0]);

    float[] latentMask = MaskOps.nearest(mask, width, height, lw, lh);
    float[] maskBatch = Tensors.repeat(latentMask, p.n());
    float[] maskedLatents;
    if (nineChannels) {
      float[] maskedImage = MaskOps.keepOutside(image, mask);
      LatentDistribution d = VaeStage.encode(model, maskedImage, width, height, ctx);
      maskedLatents = VaeStage.sampleScaled(d, p.n(), noise, p.noiseMode(), model.scalingFactor());
    } else {
      // The reference encodes the masked image here even for 4 channels and never uses it;
      // consume its draw so the following step noise matches.
      VaeStage.skipSample(shape, p.n(), noise, p.noiseMode());
      maskedLatents = null;
    }

    int hw = lh * lw;
    float[] mask2 = guided ? Tensors.concat(maskBatch, maskBatch) : maskBatch;
    float[] masked2 =
        nineChannels && guided ? Tensors.concat(maskedLatents, maskedLatents) : maskedLatents;
    StepModel stepModel =
        !nineChannels
            ? text.plainStep(p.guidanceScale())
            : new StepModel() {
              @Override
              public UNetBatch assemble(float[] scaled, long[] s, float t) {
                float[] sample = guided ? Tensors.concat(scaled, scaled) : scaled;
                int batch = guided ? 2 * (int) s[0] : (int) s[0];
                sample =
                    Tensors.concatChannels(
                        batch, hw, new float[][] {sample, mask2, masked2}, new int[] {4, 1, 4});
                return new UNetBatch(
                    sample,
                    new long[] {batch, 9, s[2], s[3]},
                    text.hidden(),
                    text.hiddenShape(),
                    text.extras());
              }

              @Override
              public float[] combine(float[] out) {
                return guided ? Guidance.classifierFree(out, p.guidanceScale()) : out;
              }
            };
    StepHook hook = StepHook.NONE;
    if (!nineChannels) {
      float[] original = imageLatents;
      float[] kept = timesteps;
      hook =
          (i, x) -> {
            float[] proper =
                i < kept.length - 1 ? scheduler.addNoise(original, eps, kept[i + 1]) : original;
            return MaskOps.blend(proper, x, maskBatch, hw);
          };
    }
    float[] result =
        DenoisingLoop.run(unet, scheduler, timesteps, latents, shape, stepModel, hook, noise, ctx);
    return VaeStage.decode(model, result, shape, ctx);
  }
}
