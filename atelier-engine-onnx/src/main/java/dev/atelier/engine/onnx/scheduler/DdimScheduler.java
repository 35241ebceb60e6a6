package dev.atelier.engine.onnx.scheduler;

import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.internal.F32;
import dev.atelier.engine.onnx.scheduler.internal.Options;
import dev.atelier.engine.onnx.scheduler.internal.Spacing;
import dev.atelier.engine.onnx.scheduler.internal.TrainingSchedule;
import java.util.Optional;

/**
 * diffusers' {@code DDIMScheduler} with {@code eta = 0}: the deterministic DDIM update, which never
 * draws noise.
 *
 * <p>Config keys: the beta keys, {@code prediction_type} (epsilon, sample, v_prediction), {@code
 * clip_sample} (default true, as in diffusers), {@code clip_sample_range}, {@code
 * set_alpha_to_one}, {@code timestep_spacing} (default leading) and {@code steps_offset}. Like
 * diffusers, DDIM keeps no step index: each step reads the timestep it is given, and {@link
 * #setBeginIndex} has nothing to set.
 */
public final class DdimScheduler implements Scheduler {
  private final SchedulerConfig config;
  private final TrainingSchedule training;
  private final float finalAlphaCumprod;
  private final String predictionType;
  private final String spacing;
  private final boolean clipSample;
  private final float clipRange;
  private float[] timesteps;
  private int numInferenceSteps;
  private float[] lastX0;

  /** Builds the scheduler from {@code config}, using diffusers' defaults for absent keys. */
  public DdimScheduler(SchedulerConfig config) {
    this.config = config;
    training = TrainingSchedule.fromConfig(config, TrainingSchedule.BetaDefaults.LINEAR, false);
    finalAlphaCumprod = config.bool("set_alpha_to_one", true) ? 1f : training.alphasCumprod()[0];
    predictionType =
        Options.choice(config, "prediction_type", "epsilon", "epsilon", "sample", "v_prediction");
    spacing =
        Options.choice(config, "timestep_spacing", "leading", "leading", "linspace", "trailing");
    clipSample = config.bool("clip_sample", true);
    clipRange = (float) config.number("clip_sample_range", 1.0);
    Options.unsupported(config, "thresholding", "DDIMScheduler");
    int n = training.size();
    timesteps = new float[n];
    for (int i = 0; i < n; i++) {
      timesteps[i] = n - 1 - i;
    }
  }

  @Override
  public SchedulerConfig config() {
    return config;
  }

  @Override
  public void setTimesteps(int numInferenceSteps) {
    int trainSteps = training.size();
    Options.checkSteps(numInferenceSteps, trainSteps);
    double[] t =
        switch (spacing) {
          case "linspace" ->
              Spacing.reverse(
                  Spacing.rint(Spacing.linspace(0, trainSteps - 1, numInferenceSteps, true)));
          case "leading" ->
              Spacing.leading(
                  numInferenceSteps,
                  trainSteps / numInferenceSteps,
                  config.integer("steps_offset", 0));
          default -> Spacing.trailing(trainSteps, trainSteps, numInferenceSteps);
        };
    timesteps = Spacing.toFloat(t);
    this.numInferenceSteps = numInferenceSteps;
    lastX0 = null;
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

  /** Does nothing: diffusers' DDIM has no begin index, as each step reads its own timestep. */
  @Override
  public void setBeginIndex(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("begin index must be at least 0 but was " + index);
    }
  }

  @Override
  public float[] scaleModelInput(float[] sample, float timestep) {
    return sample;
  }

  @Override
  public float[] step(
      float[] modelOutput, float timestep, float[] sample, long[] shape, NoiseSource noise) {
    if (numInferenceSteps == 0) {
      throw new IllegalStateException("setTimesteps must be called before step");
    }
    F32.sameLength(modelOutput, sample, "modelOutput");
    float[] ac = training.alphasCumprod();
    int t = Options.trainingTimestep(timestep, ac.length);
    // The previous timestep is one stride back whatever the spacing, as in diffusers.
    int prevT = t - ac.length / numInferenceSteps;
    float alpha = ac[t];
    float alphaPrev = prevT >= 0 ? ac[prevT] : finalAlphaCumprod;
    float beta = 1f - alpha;
    float sqrtAlpha = F32.sqrt(alpha);
    float sqrtBeta = F32.sqrt(beta);
    float[] x0;
    float[] eps;
    switch (predictionType) {
      case "epsilon" -> {
        x0 = F32.subScaledDiv(sample, sqrtBeta, modelOutput, sqrtAlpha);
        eps = modelOutput;
      }
      case "sample" -> {
        x0 = modelOutput.clone();
        eps = F32.subScaledDiv(sample, sqrtAlpha, x0, sqrtBeta);
      }
      default -> {
        x0 = new float[sample.length];
        eps = new float[sample.length];
        for (int i = 0; i < x0.length; i++) {
          x0[i] = sqrtAlpha * sample[i] - sqrtBeta * modelOutput[i];
          eps[i] = sqrtAlpha * modelOutput[i] + sqrtBeta * sample[i];
        }
      }
    }
    if (clipSample) {
      F32.clamp(x0, clipRange);
    }
    // With eta = 0 the noise term vanishes and the direction coefficient is sqrt(1 - alpha_prev).
    float direction = F32.sqrt(1f - alphaPrev);
    float[] prev = new float[sample.length];
    float sqrtAlphaPrev = F32.sqrt(alphaPrev);
    for (int i = 0; i < prev.length; i++) {
      prev[i] = sqrtAlphaPrev * x0[i] + direction * eps[i];
    }
    lastX0 = x0;
    return prev;
  }

  @Override
  public float[] addNoise(float[] original, float[] noise, float timestep) {
    return noiseAt(training.alphasCumprod(), original, noise, timestep);
  }

  /** The variance-preserving forward process at a training timestep, shared with LCM. */
  static float[] noiseAt(float[] alphasCumprod, float[] original, float[] noise, float timestep) {
    F32.sameLength(noise, original, "noise");
    float alpha = alphasCumprod[Options.trainingTimestep(timestep, alphasCumprod.length)];
    return F32.axpby(F32.sqrt(alpha), original, F32.sqrt(1f - alpha), noise);
  }

  @Override
  public Optional<float[]> predictedOriginalSample() {
    return Optional.ofNullable(lastX0).map(float[]::clone);
  }
}
