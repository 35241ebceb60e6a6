package dev.atelier.engine.onnx.scheduler;

import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.internal.F32;
import dev.atelier.engine.onnx.scheduler.internal.Options;
import dev.atelier.engine.onnx.scheduler.internal.Spacing;
import dev.atelier.engine.onnx.scheduler.internal.StepCursor;
import dev.atelier.engine.onnx.scheduler.internal.TrainingSchedule;
import java.util.Optional;

/**
 * diffusers' {@code EulerDiscreteScheduler}: the deterministic Euler method of Karras et al. over
 * the sigma schedule, with {@code s_churn = 0}.
 *
 * <p>Config keys: the beta keys, {@code prediction_type} (epsilon, v_prediction, sample,
 * original_sample), {@code interpolation_type} (linear, log_linear), {@code use_karras_sigmas},
 * {@code use_exponential_sigmas}, {@code sigma_min}, {@code sigma_max}, {@code timestep_spacing},
 * {@code timestep_type} (discrete, continuous), {@code steps_offset} and {@code final_sigmas_type}
 * (zero, sigma_min).
 */
public final class EulerDiscreteScheduler implements Scheduler {
  private final SchedulerConfig config;
  private final TrainingSchedule training;
  private final String predictionType;
  private final String spacing;
  private final String interpolation;
  private final boolean karras;
  private final boolean exponential;
  private final boolean continuous;
  private final String finalSigmas;
  private final StepCursor cursor = new StepCursor();
  private float[] timesteps;
  private float[] sigmas;
  private float[] lastX0;

  /** Builds the scheduler from {@code config}, using diffusers' defaults for absent keys. */
  public EulerDiscreteScheduler(SchedulerConfig config) {
    this.config = config;
    training = TrainingSchedule.fromConfig(config, TrainingSchedule.BetaDefaults.LINEAR, true);
    predictionType =
        Options.choice(
            config,
            "prediction_type",
            "epsilon",
            "epsilon",
            "v_prediction",
            "sample",
            "original_sample");
    spacing =
        Options.choice(config, "timestep_spacing", "linspace", "leading", "linspace", "trailing");
    interpolation = Options.choice(config, "interpolation_type", "linear", "linear", "log_linear");
    continuous =
        Options.choice(config, "timestep_type", "discrete", "discrete", "continuous")
                .equals("continuous")
            && predictionType.equals("v_prediction");
    finalSigmas = Options.choice(config, "final_sigmas_type", "zero", "zero", "sigma_min");
    karras = config.bool("use_karras_sigmas", false);
    exponential = config.bool("use_exponential_sigmas", false);
    Options.unsupported(config, "use_beta_sigmas", "EulerDiscreteScheduler");
    if (karras && exponential) {
      throw new IllegalArgumentException(
          "at most one of use_karras_sigmas, use_exponential_sigmas may be true but both were");
    }
    // Before set_timesteps diffusers exposes the full training schedule; keep that state.
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
    // The spaced timesteps are float32 in diffusers before sigmas are interpolated at them.
    float[] ts = Spacing.toFloat(t);
    float[] train = training.sigmas();
    float[] logSigmas = Spacing.log(train);
    double[] s;
    if (interpolation.equals("linear")) {
      s = Spacing.interp(SigmaSpace.widen(ts), train);
    } else {
      // diffusers' log_linear yields num_inference_steps + 1 sigmas before the final one.
      float[] logs =
          TrainingSchedule.torchLinspace(
              F32.log(train[train.length - 1]), F32.log(train[0]), numInferenceSteps + 1);
      s = new double[logs.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = F32.exp(logs[i]);
      }
    }
    if (karras || exponential) {
      double sigmaMin = config.number("sigma_min", s[s.length - 1]);
      double sigmaMax = config.number("sigma_max", s[0]);
      s =
          karras
              ? Spacing.karras(sigmaMin, sigmaMax, numInferenceSteps)
              : Spacing.exponential(sigmaMin, sigmaMax, numInferenceSteps);
      double[] fromSigmas = new double[s.length];
      for (int i = 0; i < s.length; i++) {
        fromSigmas[i] = Spacing.sigmaToT(s[i], logSigmas);
      }
      ts = Spacing.toFloat(fromSigmas);
    }
    sigmas = new float[s.length + 1];
    for (int i = 0; i < s.length; i++) {
      sigmas[i] = (float) s[i];
    }
    sigmas[s.length] = finalSigmas.equals("zero") ? 0f : train[0];
    if (continuous) {
      ts = new float[s.length];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = 0.25f * F32.log(sigmas[i]);
      }
    }
    timesteps = ts;
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
    float sigma = sigmas[index];
    float[] x0 = predictX0(predictionType, modelOutput, sample, sigma);
    float dt = sigmas[index + 1] - sigma;
    float[] prev = new float[sample.length];
    for (int i = 0; i < prev.length; i++) {
      float derivative = (sample[i] - x0[i]) / sigma;
      prev[i] = sample[i] + derivative * dt;
    }
    lastX0 = x0;
    cursor.advance();
    return prev;
  }

  /** The denoised estimate for sigma-space prediction types, shared with Euler ancestral. */
  static float[] predictX0(String predictionType, float[] m, float[] s, float sigma) {
    float[] x0 = new float[s.length];
    switch (predictionType) {
      case "epsilon" -> {
        for (int i = 0; i < x0.length; i++) {
          x0[i] = s[i] - sigma * m[i];
        }
      }
      case "v_prediction" -> {
        float sq = sigma * sigma + 1f;
        float c = -sigma / F32.sqrt(sq);
        for (int i = 0; i < x0.length; i++) {
          x0[i] = m[i] * c + s[i] / sq;
        }
      }
      default -> System.arraycopy(m, 0, x0, 0, x0.length);
    }
    return x0;
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
