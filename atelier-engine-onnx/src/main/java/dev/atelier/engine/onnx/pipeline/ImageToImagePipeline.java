package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.model.LatentDistribution;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.UNet;
import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.Scheduler;

/**
 * Image-to-image with strength, as diffusers' {@code StableDiffusionImg2ImgPipeline}: the image is
 * encoded (a sample of the VAE's distribution), noised to the timestep where the last {@code
 * strength} of the schedule begins, and denoised from there.
 */
public final class ImageToImagePipeline {
  private final StableDiffusionModel model;
  private final PromptEncoder prompts;

  /** Creates the pipeline over a loaded model and its prompt cache. */
  public ImageToImagePipeline(StableDiffusionModel model, PromptEncoder prompts) {
    this.model = model;
    this.prompts = prompts;
  }

  /**
   * Runs the last {@code strength} of a {@code p.steps()}-step schedule from {@code image}.
   *
   * @param image {@code [1, 3, height, width]} in [-1, 1]
   * @param strength in (0, 1]; {@code int(steps * strength)} steps are run
   * @throws IllegalArgumentException when the strength leaves no step to run
   */
  public PipelineOutput run(
      Prompting p,
      float[] image,
      int width,
      int height,
      double strength,
      Scheduler scheduler,
      NoiseSource noise,
      RunContext ctx) {
    UNet unet = model.unet();
    Conditioning text = Conditioning.forGuidance(prompts, p, unet, width, height, ctx);
    float[] timesteps = Strength.keptTimesteps(scheduler, p.steps(), strength);

    LatentDistribution dist = VaeStage.encode(model, image, width, height, ctx);
    float[] init = VaeStage.sampleScaled(dist, p.n(), noise, p.noiseMode(), model.scalingFactor());
    long[] shape = dist.shape().clone();
    shape[0] = p.n();
    float[] eps = noise.randn(shape);
    float[] latents = scheduler.addNoise(init, eps, timesteps[0]);

    StepModel stepModel = text.plainStep(p.guidanceScale());
    float[] result =
        DenoisingLoop.run(
            unet, scheduler, timesteps, latents, shape, stepModel, StepHook.NONE, noise, ctx);
    return VaeStage.decode(model, result, shape, ctx);
  }
}
