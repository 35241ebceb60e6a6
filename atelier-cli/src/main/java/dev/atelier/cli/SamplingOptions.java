package dev.atelier.cli;

import dev.atelier.core.NoiseMode;
import dev.atelier.core.SamplingParams;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Sampling options shared by {@code generate}, {@code edit} and {@code bench}. */
final class SamplingOptions {
  @Spec(Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-n", "--n"},
      paramLabel = "N",
      description = "Images to make, 1..10 (one batch). Default: ${DEFAULT-VALUE}.",
      defaultValue = "1")
  int n;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      description = "Seed of image 0; image i uses SEED+i. Default: random.")
  Long seed;

  /** Steps when {@code --steps} is not given. */
  static final int DEFAULT_STEPS = 20;

  /** Guidance when {@code --guidance} is not given. */
  static final double DEFAULT_GUIDANCE = 7.5;

  @Option(
      names = "--steps",
      paramLabel = "STEPS",
      description =
          "Denoising steps. Default: 20; 2 for a few-step model (SD-Turbo, SDXL-Turbo: Euler"
              + " trailing in its scheduler config).")
  Integer steps;

  @Option(
      names = {"--guidance", "--cfg"},
      paramLabel = "SCALE",
      description =
          "Classifier-free guidance scale (<= 1 disables it). Default: 7.5; 0 for a few-step"
              + " model.")
  Double guidance;

  @Option(
      names = "--scheduler",
      paramLabel = "NAME",
      description =
          "euler, euler_a, euler_trailing, ddim, lcm, dpmpp_2m, dpmpp_2m_karras, or default (the"
              + " model folder's). Default: ${DEFAULT-VALUE}.",
      defaultValue = "default")
  String scheduler;

  @Option(
      names = "--negative-prompt",
      paramLabel = "TEXT",
      description = "What to steer away from.",
      defaultValue = "")
  String negativePrompt;

  @Option(
      names = "--prompt-2",
      paramLabel = "TEXT",
      description =
          "SDXL only: what the second text tower reads instead of the prompt (diffusers'"
              + " prompt_2).",
      defaultValue = "")
  String prompt2;

  @Option(
      names = "--noise",
      paramLabel = "MODE",
      description =
          "per-image (image i regenerates alone from SEED+i) or batch (one generator, as"
              + " diffusers). Default: ${DEFAULT-VALUE}.",
      defaultValue = "per-image")
  String noise;

  @Option(
      names = "--fast-decode",
      description = "Decode with the tiny decoder (--tiny-decoder), as quality low does.")
  boolean fastDecode;

  SamplingParams params() {
    NoiseMode mode =
        switch (noise.toLowerCase(Locale.ROOT)) {
          case "per-image", "per_image" -> NoiseMode.PER_IMAGE;
          case "batch" -> NoiseMode.BATCH;
          default ->
              throw new ParameterException(
                  spec.commandLine(), "--noise must be per-image or batch but was '" + noise + "'");
        };
    long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 32);
    try {
      return SamplingParams.builder()
          .n(n)
          .seed(s)
          .steps(steps == null ? DEFAULT_STEPS : steps)
          .guidanceScale(guidance == null ? DEFAULT_GUIDANCE : guidance)
          .scheduler(scheduler)
          .negativePrompt(negativePrompt)
          .prompt2(prompt2)
          .noiseMode(mode)
          .decoder(fastDecode ? dev.atelier.core.Decoder.TINY : dev.atelier.core.Decoder.FULL)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /**
   * {@code s} for a model of {@code traits}: a few-step model takes {@link
   * dev.atelier.server.models.ModelProfile#FEW_STEPS} (medium, 2) steps and guidance 0 where the
   * command line named neither, as the server does.
   */
  SamplingParams forModel(SamplingParams s, dev.atelier.engine.onnx.model.ModelTraits traits) {
    if (!traits.fewStep() || (steps != null && guidance != null)) {
      return s;
    }
    SamplingParams.Builder b = s.toBuilder();
    if (steps == null) {
      b.steps(dev.atelier.server.models.ModelProfile.FEW_STEPS[1]);
    }
    if (guidance == null) {
      b.guidanceScale(0);
    }
    return b.build();
  }
}
