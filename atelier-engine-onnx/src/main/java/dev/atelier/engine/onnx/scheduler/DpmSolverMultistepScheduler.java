package dev.atelier.engine.onnx.scheduler;

import dev.atelier.engine.onnx.rng.NoiseSource;
import dev.atelier.engine.onnx.scheduler.internal.F32;
import dev.atelier.engine.onnx.scheduler.internal.Options;
import dev.atelier.engine.onnx.scheduler.internal.Spacing;
import dev.atelier.engine.onnx.scheduler.internal.StepCursor;
import dev.atelier.engine.onnx.scheduler.internal.TrainingSchedule;
import java.util.Arrays;
import java.util.Optional;

/**
 * diffusers' {@code DPMSolverMultistepScheduler} for the deterministic algorithms: DPM-Solver++
 * (the default, "DPM++ 2M" at solver order 2) and DPM-Solver, orders 1 to 3, midpoint or Heun
 * second-order terms.
 *
 * <p>Config keys: the beta keys, {@code algorithm_type} (dpmsolver++, dpmsolver; deis is read as
 * dpmsolver++ like diffusers), {@code solver_order}, {@code solver_type}, {@code
 * lower_order_final}, {@code euler_at_final}, {@code use_karras_sigmas}, {@code
 * use_exponential_sigmas}, {@code final_sigmas_type}, {@code lambda_min_clipped}, {@code
 * prediction_type} (epsilon, sample, v_prediction), {@code timestep_spacing} and {@code
 * steps_offset}. Like diffusers' hidden config entries, {@code sigma_min} and {@code sigma_max}
 * from a base config bound the Karras and exponential sigmas.
 */
public final class DpmSolverMultistepScheduler implements Scheduler {
  private final SchedulerConfig config;
  private final TrainingSchedule training;
  private final boolean plusPlus;
  private final int order;
  private final boolean heun;
  private final String predictionType;
  private final String spacing;
  private final boolean karras;
  private final boolean exponential;
  private final boolean zeroFinal;
  private final StepCursor cursor = new StepCursor();
  private float[] timesteps;
  private float[] sigmas;
  private float[][] outputs;
  private int lowerOrderNums;
  private boolean scheduled;
  private float[] lastX0;

  /** Builds the scheduler from {@code config}, using diffusers' defaults for absent keys. */
  public DpmSolverMultistepScheduler(SchedulerConfig config) {
    this.config = config;
    training = TrainingSchedule.fromConfig(config, TrainingSchedule.BetaDefaults.LINEAR, true);
    String algorithm =
        Options.choice(config, "algorithm_type", "dpmsolver++", "dpmsolver++", "dpmsolver", "deis");
    plusPlus = !algorithm.equals("dpmsolver");
    order = config.integer("solver_order", 2);
    if (order < 1 || order > 3) {
      throw new IllegalArgumentException("solver_order must be 1, 2 or 3 but was " + order);
    }
    heun =
        Options.choice(
                config, "solver_type", "midpoint", "midpoint", "heun", "logrho", "bh1", "bh2")
            .equals("heun");
    predictionType =
        Options.choice(config, "prediction_type", "epsilon", "epsilon", "sample", "v_prediction");
    spacing =
        Options.choice(config, "timestep_spacing", "linspace", "leading", "linspace", "trailing");
    karras = config.bool("use_karras_sigmas", false);
    exponential = config.bool("use_exponential_sigmas", false);
    zeroFinal =
        Options.choice(config, "final_sigmas_type", "zero", "zero", "sigma_min").equals("zero");
    for (String flag :
        new String[] {"use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas", "thresholding"}) {
      Options.unsupported(config, flag, "DPMSolverMultistepScheduler");
    }
    if (config.has("variance_type")) {
      throw new IllegalArgumentException(
          "variance_type must be null for DPMSolverMultistepScheduler but was "
              + config.string("variance_type", ""));
    }
    if (karras && exponential) {
      throw new IllegalArgumentException(
          "at most one of use_karras_sigmas, use_exponential_sigmas may be true but both were");
    }
    if (!plusPlus && zeroFinal) {
      throw new IllegalArgumentException(
          "final_sigmas_type must be sigma_min for algorithm_type dpmsolver but was zero");
    }
    sigmas = training.sigmas();
    timesteps = new float[training.size()];
    for (int i = 0; i < timesteps.length; i++) {
      timesteps[i] = timesteps.length - 1 - i;
    }
    outputs = new float[order][];
  }

  @Override
  public SchedulerConfig config() {
    return config;
  }

  @Override
  public void setTimesteps(int numInferenceSteps) {
    int trainSteps = training.size();
    Options.checkSteps(numInferenceSteps, trainSteps);
    int last = trainSteps - clippedCount();
    double[] t =
        switch (spacing) {
          case "linspace" ->
              dropLast(
                  Spacing.reverse(
                      Spacing.rint(Spacing.linspace(0, last - 1, numInferenceSteps + 1, true))));
          case "leading" ->
              dropLast(
                  Spacing.leading(
                      numInferenceSteps + 1,
                      last / (numInferenceSteps + 1),
                      config.integer("steps_offset", 0)));
          default -> Spacing.trailing(last, trainSteps, numInferenceSteps);
        };
    float[] train = training.sigmas();
    double[] s;
    if (karras || exponential) {
      double sigmaMin = config.number("sigma_min", train[0]);
      double sigmaMax = config.number("sigma_max", train[train.length - 1]);
      s =
          karras
              ? Spacing.karras(sigmaMin, sigmaMax, numInferenceSteps)
              : Spacing.exponential(sigmaMin, sigmaMax, numInferenceSteps);
      float[] logSigmas = Spacing.log(train);
      t = new double[s.length];
      for (int i = 0; i < s.length; i++) {
        t[i] = Spacing.sigmaToT(s[i], logSigmas);
      }
      if (karras && !config.string("beta_schedule", "linear").equals("squaredcos_cap_v2")) {
        Spacing.rint(t);
      }
    } else {
      s = Spacing.interp(t, train);
    }
    sigmas = new float[s.length + 1];
    timesteps = new float[t.length];
    for (int i = 0; i < s.length; i++) {
      sigmas[i] = (float) s[i];
      timesteps[i] = (long) t[i];
    }
    sigmas[s.length] = zeroFinal ? 0f : train[0];
    outputs = new float[order][];
    lowerOrderNums = 0;
    scheduled = true;
    cursor.reset();
    lastX0 = null;
  }

  /** How many training timesteps lie below {@code lambda_min_clipped} (searchsorted, left). */
  private int clippedCount() {
    // torch.searchsorted promotes the float32 lambdas and the Python float bound to double.
    double clip = config.number("lambda_min_clipped", Double.NEGATIVE_INFINITY);
    float[] ac = training.alphasCumprod();
    int count = 0;
    for (float a : ac) {
      float lambda = F32.log(F32.sqrt(a)) - F32.log(F32.sqrt(1f - a));
      if (lambda < clip) {
        count++;
      }
    }
    return count;
  }

  private static double[] dropLast(double[] x) {
    return Arrays.copyOf(x, x.length - 1);
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
    if (!scheduled) {
      throw new IllegalStateException("setTimesteps must be called before step");
    }
    F32.sameLength(modelOutput, sample, "modelOutput");
    int index = cursor.current(timestep, timesteps, true);
    int n = timesteps.length;
    boolean lowerFinal =
        index == n - 1
            && (config.bool("euler_at_final", false) || (lowerOrderFinal() && n < 15) || zeroFinal);
    boolean lowerSecond = index == n - 2 && lowerOrderFinal() && n < 15;
    float[] converted = convert(modelOutput, sample, sigmas[index]);
    System.arraycopy(outputs, 1, outputs, 0, order - 1);
    outputs[order - 1] = converted;
    DpmSolverUpdates c = new DpmSolverUpdates(sigmas, index, plusPlus);
    float[] prev;
    if (order == 1 || lowerOrderNums < 1 || lowerFinal) {
      prev = c.firstOrder(sample, converted);
    } else if (order == 2 || lowerOrderNums < 2 || lowerSecond) {
      prev = c.secondOrder(heun, sample, outputs[order - 1], outputs[order - 2]);
    } else {
      prev = c.thirdOrder(sample, outputs[2], outputs[1], outputs[0]);
    }
    lowerOrderNums = Math.min(lowerOrderNums + 1, order);
    cursor.advance();
    return prev;
  }

  private boolean lowerOrderFinal() {
    return config.bool("lower_order_final", true);
  }

  /** diffusers' convert_model_output: x0 for DPM-Solver++, epsilon for DPM-Solver. */
  private float[] convert(float[] m, float[] s, float sigma) {
    float alpha = 1f / F32.sqrt(sigma * sigma + 1f);
    float sigmaT = sigma * alpha;
    float[] out;
    if (plusPlus) {
      out =
          switch (predictionType) {
            case "epsilon" -> F32.subScaledDiv(s, sigmaT, m, alpha);
            case "sample" -> m.clone();
            default -> F32.axpby(alpha, s, -sigmaT, m);
          };
      lastX0 = out;
    } else {
      out =
          switch (predictionType) {
            case "epsilon" -> m.clone();
            case "sample" -> F32.subScaledDiv(s, alpha, m, sigmaT);
            default -> F32.axpby(alpha, m, sigmaT, s);
          };
    }
    return out;
  }

  @Override
  public float[] addNoise(float[] original, float[] noise, float timestep) {
    F32.sameLength(noise, original, "noise");
    float sigma = sigmas[cursor.forAddNoise(timestep, timesteps, true)];
    float alpha = 1f / F32.sqrt(sigma * sigma + 1f);
    return F32.axpby(alpha, original, sigma * alpha, noise);
  }

  @Override
  public Optional<float[]> predictedOriginalSample() {
    return Optional.ofNullable(lastX0).map(float[]::clone);
  }
}
