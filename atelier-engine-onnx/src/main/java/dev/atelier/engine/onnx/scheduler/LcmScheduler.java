package dev.atelier.engine.onnx.scheduler;

import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.internal.F32;
import dev.atelier.engine.onnx.scheduler.internal.Options;
import dev.atelier.engine.onnx.scheduler.internal.Spacing;
import dev.atelier.engine.onnx.scheduler.internal.StepCursor;
import dev.atelier.engine.onnx.scheduler.internal.TrainingSchedule;
import java.util.Optional;

/**
 * diffusers' {@code LCMScheduler}: multistep latent-consistency sampling. Each step maps the sample
 * to a denoised estimate through the consistency boundary condition and, on every step but the
 * last, re-noises it to the next timestep with fresh noise.
 *
 * <p>Config keys: the beta keys (defaults scaled_linear, 0.00085 to 0.012, as in diffusers), {@code
 * original_inference_steps}, {@code timestep_scaling}, {@code prediction_type} (epsilon, sample,
 * v_prediction), {@code clip_sample}, {@code clip_sample_range} and {@code set_alpha_to_one}. The
 * timesteps are a subset of the distillation schedule, so {@code timestep_spacing} and {@code
 * steps_offset} play no part, as in diffusers.
 */
public final class LcmScheduler implements Scheduler {
  private static final TrainingSchedule.BetaDefaults DEFAULTS =
      new TrainingSchedule.BetaDefaults(0.00085, 0.012, "scaled_linear");
  private static final float SIGMA_DATA_SQUARED = 0.25f;

  private final SchedulerConfig config;
  private final TrainingSchedule training;
  private final float finalAlphaCumprod;
  private final String predictionType;
  private final int originalSteps;
  private final float timestepScaling;
  private final boolean clipSample;
  private final float clipRange;
  private final StepCursor cursor = new StepCursor();
  private float[] timesteps;
  private float[] lastDenoised;

  /** Builds the scheduler from {@code config}, using diffusers' defaults for absent keys. */
  public LcmScheduler(SchedulerConfig config) {
    this.config = config;
    training = TrainingSchedule.fromConfig(config, DEFAULTS, false);
    finalAlphaCumprod = config.bool("set_alpha_to_one", true) ? 1f : training.alphasCumprod()[0];
    predictionType =
        Options.choice(config, "prediction_type", "epsilon", "epsilon", "sample", "v_prediction");
    originalSteps = config.integer("original_inference_steps", 50);
    if (originalSteps < 1 || originalSteps > training.size()) {
      throw new IllegalArgumentException(
          "original_inference_steps must be between 1 and num_train_timesteps ("
              + training.size()
              + ") but was "
              + originalSteps);
    }
    timestepScaling = (float) config.number("timestep_scaling", 10.0);
    clipSample = config.bool("clip_sample", false);
    clipRange = (float) config.number("clip_sample_range", 1.0);
    Options.unsupported(config, "thresholding", "LCMScheduler");
    timesteps = new float[0];
  }

  @Override
  public SchedulerConfig config() {
    return config;
  }

  /**
   * Picks {@code numInferenceSteps} evenly spaced timesteps from the {@code
   * original_inference_steps} distillation schedule.
   *
   * @throws IllegalArgumentException when the step count is below 1 or above {@code
   *     original_inference_steps}
   */
  @Override
  public void setTimesteps(int numInferenceSteps) {
    Options.checkSteps(numInferenceSteps, training.size());
    if (numInferenceSteps > originalSteps) {
      throw new IllegalArgumentException(
          "num_inference_steps must be at most original_inference_steps ("
              + originalSteps
              + ") but was "
              + numInferenceSteps);
    }
    int k = training.size() / originalSteps;
    // The distillation schedule k-1, 2k-1, ..., descending.
    int[] origin = new int[originalSteps];
    for (int i = 0; i < originalSteps; i++) {
      origin[i] = (originalSteps - i) * k - 1;
    }
    double[] picks = Spacing.linspace(0, originalSteps, numInferenceSteps, false);
    timesteps = new float[numInferenceSteps];
    for (int i = 0; i < numInferenceSteps; i++) {
      timesteps[i] = origin[(int) Math.floor(picks[i])];
    }
    cursor.reset();
    lastDenoised = null;
  }

  @Override
  public float[] timesteps() {
    return timesteps.clone();
  }

  @Override
  public Optional<float[]> sigmas() {
    return Optional.empty();
  }

  @Override
  public float initNoiseSigma() {
    return 1f;
  }

  @Override
  public void setBeginIndex(int index) {
    cursor.setBegin(index);
  }

  @Override
  public float[] scaleModelInput(float[] sample, float timestep) {
    return sample;
  }

  @Override
  public float[] step(
      float[] modelOutput, float timestep, float[] sample, long[] shape, NoiseSource noise) {
    if (timesteps.length == 0) {
      throw new IllegalStateException("setTimesteps must be called before step");
    }
    F32.sameLength(modelOutput, sample, "modelOutput");
    int index = cursor.current(timestep, timesteps, false);
    float[] ac = training.alphasCumprod();
    int t = Options.trainingTimestep(timestep, ac.length);
    int prevT = index + 1 < timesteps.length ? (int) timesteps[index + 1] : t;
    float alpha = ac[t];
    float alphaPrev = prevT >= 0 ? ac[prevT] : finalAlphaCumprod;
    float sqrtAlpha = F32.sqrt(alpha);
    float sqrtBeta = F32.sqrt(1f - alpha);
    // Boundary condition: c_skip -> 1 and c_out -> 0 as the timestep goes to 0. The scaled
    // timestep is a float32 tensor in diffusers (int64 timestep times a Python float).
    float scaled = (float) t * timestepScaling;
    float denom = scaled * scaled + SIGMA_DATA_SQUARED;
    float cSkip = SIGMA_DATA_SQUARED / denom;
    float cOut = scaled / F32.sqrt(denom);
    float[] x0 =
        switch (predictionType) {
          case "epsilon" -> F32.subScaledDiv(sample, sqrtBeta, modelOutput, sqrtAlpha);
          case "sample" -> modelOutput.clone();
          default -> F32.axpby(sqrtAlpha, sample, -sqrtBeta, modelOutput);
        };
    if (clipSample) {
      F32.clamp(x0, clipRange);
    }
    float[] denoised = F32.axpby(cOut, x0, cSkip, sample);
    float[] prev = denoised;
    if (index != timesteps.length - 1) {
      float[] z = noise.randn(shape);
      F32.sameLength(z, sample, "step noise");
      prev = F32.axpby(F32.sqrt(alphaPrev), denoised, F32.sqrt(1f - alphaPrev), z);
    }
    lastDenoised = denoised;
    cursor.advance();
    return prev == denoised ? denoised.clone() : prev;
  }

  @Override
  public float[] addNoise(float[] original, float[] noise, float timestep) {
    return DdimScheduler.noiseAt(training.alphasCumprod(), original, noise, timestep);
  }

  /** The denoised estimate of the last step, which the LCM pipeline decodes at the end. */
  @Override
  public Optional<float[]> predictedOriginalSample() {
    return Optional.ofNullable(lastDenoised).map(float[]::clone);
  }
}
