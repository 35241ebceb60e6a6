package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.UNet;
import dev.atelier.engine.onnx.pipeline.internal.Tensors;
import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.Scheduler;

/**
 * Text-to-image, as diffusers' {@code StableDiffusionPipeline} (and {@code
 * LatentConsistencyModelPipeline} when the UNet takes {@code timestep_cond}).
 *
 * <p>Classifier-free guidance runs as one UNet batch {@code [uncond, cond]}; a guidance scale <= 1,
 * or an LCM UNet (guidance embedded instead), runs the conditional half only. All {@code n} images
 * go through the UNet as one batch; each distinct prompt is encoded once whatever {@code n} is
 * (image {@code i} uses {@link Prompting#promptOf}).
 */
public final class TextToImagePipeline {
  private final StableDiffusionModel model;
  private final PromptEncoder prompts;

  /** Creates the pipeline over a loaded model and its prompt cache. */
  public TextToImagePipeline(StableDiffusionModel model, PromptEncoder prompts) {
    this.model = model;
    this.prompts = prompts;
  }

  /**
   * Generates {@code p.n()} images of {@code width x height}.
   *
   * @param scheduler a fresh scheduler for this run
   * @param noise initial latents and stochastic steps draw from here, in diffusers' order
   * @throws IllegalArgumentException when a side is not a multiple of the VAE scale factor
   */
  public PipelineOutput run(
      Prompting p, int width, int height, Scheduler scheduler, NoiseSource noise, RunContext ctx) {
    return run(p, width, height, scheduler, noise, ctx, Steering.NONE);
  }

  /**
   * Like {@link #run(Prompting, int, int, Scheduler, NoiseSource, RunContext)}, with {@code
   * steering}'s initial noise, style pull and image tokens; {@link Steering#NONE} is that method.
   */
  public PipelineOutput run(
      Prompting p,
      int width,
      int height,
      Scheduler scheduler,
      NoiseSource noise,
      RunContext ctx,
      Steering steering) {
    int f = model.vaeScaleFactor();
    if (width % f != 0 || height % f != 0) {
      throw new IllegalArgumentException(
          "size must be a multiple of " + f + " but was " + width + "x" + height);
    }
    UNet unet = model.unet();
    Conditioning text =
        Conditioning.forGuidance(prompts, p, unet, width, height, ctx, steering.imageTokens());
    scheduler.setTimesteps(p.steps());
    long[] shape = {p.n(), 4, height / f, width / f};
    float[] drawn = steering.initialNoise().apply(noise.randn(shape), shape);
    float[] latents = Tensors.scale(drawn, scheduler.initNoiseSigma());

    StepModel stepModel = text.plainStep(p.guidanceScale());
    float[] result =
        DenoisingLoop.run(
            unet,
            scheduler,
            scheduler.timesteps(),
            latents,
            shape,
            stepModel,
            steering.hook(scheduler, scheduler.timesteps(), shape),
            noise,
            ctx);
    return VaeStage.decode(model, result, shape, ctx);
  }
}
