package dev.atelier.engine.onnx.scheduler;

import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.internal.F32;
import dev.atelier.engine.onnx.scheduler.internal.Options;
import dev.atelier.engine.onnx.scheduler.internal.Spacing;
import dev.atelier.engine.onnx.scheduler.internal.StepCursor;
import dev.atelier.engine.onnx.scheduler.internal.TrainingSchedule;
import java.util.Optional;

/**
 * diffusers' {@code EulerAncestralDiscreteScheduler}: an Euler step down to {@code sigma_down}
 * followed by fresh noise of standard deviation {@code sigma_up}, drawn on every step (the last one
 * too, where {@code sigma_up} is 0, so that the noise stream stays aligned with diffusers).
 *
 * <p>Config keys: the beta keys, {@code prediction_type} (epsilon, v_prediction), {@code
 * timestep_spacing} and {@code steps_offset}. Sigmas are always interpolated linearly.
 */
public final class EulerAncestralDiscreteScheduler implements Scheduler {
  private final SchedulerConfig config;
  private final TrainingSchedule training;
  private final String predictionType;
  private final String spacing;
  private final StepCursor cursor = new StepCursor();
  private float[] timesteps;
  private float[] sigmas;
  private float[] lastX0;

  /** Builds the scheduler from {@code config}, using diffusers' defaults for absent keys. */
  public EulerAncestralDiscreteScheduler(SchedulerConfig config) {
    this.config = config;
    training = TrainingSchedule.fromConfig(config, TrainingSchedule.BetaDefaults.LINEAR, true);
    predictionType =
        Options.choice(config, "prediction_type", "epsilon", "epsilon", "v_prediction");
    spacing =
        Options.choice(config, "timestep_spacing", "linspace", "leading", "linspace", "trailing");
    int n = training.size();
    float[] train = training.sigmas();
    timesteps = new float[n];
    sigmas = new float[n + 1];
    for (int i = 0; i < n; i++) {
      timesteps[i] = n - 1 - i;
      sigmas[i] = train[n - 1 - i];
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
    double[] t = SigmaSpace.spacedTimesteps(spacing, numInferenceSteps, trainSteps, config);
    timesteps = Spacing.toFloat(t);
    double[] s = Spacing.interp(SigmaSpace.widen(timesteps), training.sigmas());
    sigmas = new float[s.length + 1];
    for (int i = 0; i < s.length; i++) {
      sigmas[i] = (float) s[i];
    }
    cursor.reset();
    lastX0 = null;
  }

  @Override
  public float[] timesteps() {
    return timesteps.clone();
  }

  @Override
  public Optional<float[]> sigmas() {
    return Optional.of(sigmas.clone());
  }

  @Override
  public float initNoiseSigma() {
    return SigmaSpace.initNoiseSigma(sigmas, spacing);
  }

  @Override
  public void setBeginIndex(int index) {
    cursor.setBegin(index);
  }

  @Override
  public float[] scaleModelInput(float[] sample, float timestep) {
    return SigmaSpace.scaleModelInput(sample, sigmas[cursor.current(timestep, timesteps, false)]);
  }

  @Override
  public float[] step(
      float[] modelOutput, float timestep, float[] sample, long[] shape, NoiseSource noise) {
    F32.sameLength(modelOutput, sample, "modelOutput");
    int index = cursor.current(timestep, timesteps, false);
    float from = sigmas[index];
    float to = sigmas[index + 1];
    float[] x0 = EulerDiscreteScheduler.predictX0(predictionType, modelOutput, sample, from);
    float sigmaUp = F32.sqrt(to * to * (from * from - to * to) / (from * from));
    float sigmaDown = F32.sqrt(to * to - sigmaUp * sigmaUp);
    float dt = sigmaDown - from;
    float[] z = noise.randn(shape);
    F32.sameLength(z, sample, "step noise");
    float[] prev = new float[sample.length];
    for (int i = 0; i < prev.length; i++) {
      float derivative = (sample[i] - x0[i]) / from;
      float moved = sample[i] + derivative * dt;
      prev[i] = moved + z[i] * sigmaUp;
    }
    lastX0 = x0;
    cursor.advance();
    return prev;
  }

  @Override
  public float[] addNoise(float[] original, float[] noise, float timestep) {
    F32.sameLength(noise, original, "noise");
    float sigma = sigmas[cursor.forAddNoise(timestep, timesteps, false)];
    float[] out = new float[original.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = original[i] + noise[i] * sigma;
    }
    return out;
  }

  @Override
  public Optional<float[]> predictedOriginalSample() {
    return Optional.ofNullable(lastX0).map(float[]::clone);
  }
}
