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
 * Instruction editing, as diffusers' {@code StableDiffusionInstructPix2PixPipeline}: an 8-channel
 * UNet sees the latents beside the (unscaled) mode of the image's latent distribution; guidance
 * runs the batch {@code [text, image-only, unconditional]}.
 */
public final class InstructPix2PixPipeline {
  private final StableDiffusionModel model;
  private final PromptEncoder prompts;

  /** Creates the pipeline over a loaded model and its prompt cache. */
  public InstructPix2PixPipeline(StableDiffusionModel model, PromptEncoder prompts) {
    this.model = model;
    this.prompts = prompts;
  }

  /**
   * Applies the instruction {@code p.prompt()} to {@code image}.
   *
   * @param image {@code [1, 3, height, width]} in [-1, 1]
   * @param imageGuidanceScale how closely to follow the input image (diffusers' {@code
   *     image_guidance_scale})
   * @throws AtelierException.InvalidRequest when the model is not an InstructPix2Pix model
   */
  public PipelineOutput run(
      Prompting p,
      float[] image,
      int width,
      int height,
      double imageGuidanceScale,
      Scheduler scheduler,
      NoiseSource noise,
      RunContext ctx) {
    if (model.kind() != ModelKind.INSTRUCT_PIX2PIX) {
      throw new AtelierException.InvalidRequest(
          "model",
          "instruction editing needs an InstructPix2Pix model (8-channel UNet) but "
              + model.name()
              + " has "
              + model.unet().inChannels()
              + " channels");
    }
    UNet unet = model.unet();
    boolean guided = p.guidanceScale() > 1 && imageGuidanceScale >= 1;
    Conditioning text = Conditioning.forInstructPix2Pix(prompts, p, guided, ctx);
    int copies = guided ? 3 : 1;

    LatentDistribution dist = VaeStage.encode(model, image, width, height, ctx);
    float[] imageLatents = Tensors.repeat(dist.mode(), p.n());
    float[] imageBatch =
        guided
            ? Tensors.concat(imageLatents, imageLatents, new float[imageLatents.length])
            : imageLatents;

    scheduler.setTimesteps(p.steps());
    long[] shape = dist.shape().clone();
    shape[0] = p.n();
    float[] latents = Tensors.scale(noise.randn(shape), scheduler.initNoiseSigma());
    int hw = (int) (shape[2] * shape[3]);

    StepModel stepModel =
        new StepModel() {
          @Override
          public UNetBatch assemble(float[] scaled, long[] s, float t) {
            int batch = copies * (int) s[0];
            float[] x = guided ? Tensors.concat(scaled, scaled, scaled) : scaled;
            float[] sample =
                Tensors.concatChannels(batch, hw, new float[][] {x, imageBatch}, new int[] {4, 4});
            return new UNetBatch(
                sample,
                new long[] {batch, 8, s[2], s[3]},
                text.hidden(),
                text.hiddenShape(),
                text.extras());
          }

          @Override
          public float[] combine(float[] out) {
            return guided
                ? Guidance.instructPix2Pix(out, p.guidanceScale(), imageGuidanceScale)
                : out;
          }
        };
    float[] result =
        DenoisingLoop.run(
            unet,
            scheduler,
            scheduler.timesteps(),
            latents,
            shape,
            stepModel,
            StepHook.NONE,
            noise,
            ctx);
    return VaeStage.decode(model, result, shape, ctx);
  }
}
