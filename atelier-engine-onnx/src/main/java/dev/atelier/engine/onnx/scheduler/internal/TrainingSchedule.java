package dev.atelier.engine.onnx.scheduler.internal;

import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.scheduler.SchedulerConfig;
import java.util.List;

/**
 * The training noise schedule: betas and cumulative alpha products over the training timesteps.
 *
 * @param betas beta per training timestep (float32, as diffusers keeps them)
 * @param alphasCumprod cumulative product of {@code 1 - beta} per training timestep
 */
public record TrainingSchedule(float[] betas, float[] alphasCumprod) {

  /** Per-class defaults of the beta keys, which differ between diffusers scheduler classes. */
  public record BetaDefaults(double betaStart, double betaEnd, String betaSchedule) {
    /** The defaults most diffusers schedulers declare (linear, 1e-4 to 0.02). */
    public static final BetaDefaults LINEAR = new BetaDefaults(0.0001, 0.02, "linear");
  }

  /**
   * Builds the schedule from {@code trained_betas} or {@code beta_schedule}, then applies {@code
   * rescale_betas_zero_snr}.
   *
   * @param pinLastAlpha whether a zero-SNR schedule ends at {@code 2^-24} instead of 0 (the
   *     sigma-based classes do this so that the final sigma stays finite)
   */
  public static TrainingSchedule fromConfig(
      SchedulerConfig c, BetaDefaults defaults, boolean pinLastAlpha) {
    int n = c.integer("num_train_timesteps", 1000);
    if (n < 1) {
      throw new IllegalArgumentException("num_train_timesteps must be at least 1 but was " + n);
    }
    double start = c.number("beta_start", defaults.betaStart());
    double end = c.number("beta_end", defaults.betaEnd());
    float[] betas;
    List<JsonValue> trained = c.array("trained_betas");
    if (!trained.isEmpty()) {
      betas = new float[trained.size()];
      for (int i = 0; i < betas.length; i++) {
        if (!(trained.get(i) instanceof JsonValue.Num num)) {
          throw new IllegalArgumentException(
              "trained_betas must hold numbers but item " + i + " was " + trained.get(i));
        }
        betas[i] = (float) num.value();
      }
    } else {
      String schedule =
          Options.choice(
              c,
              "beta_schedule",
              defaults.betaSchedule(),
              "linear",
              "scaled_linear",
              "squaredcos_cap_v2");
      betas =
          switch (schedule) {
            case "linear" -> torchLinspace((float) start, (float) end, n);
            case "scaled_linear" ->
                square(torchLinspace((float) Math.sqrt(start), (float) Math.sqrt(end), n));
            default -> cosineBetas(n);
          };
    }
    boolean zeroSnr = c.bool("rescale_betas_zero_snr", false);
    if (zeroSnr) {
      betas = rescaleZeroTerminalSnr(betas);
    }
    float[] alphasCumprod = cumprod(betas);
    if (zeroSnr && pinLastAlpha) {
      alphasCumprod[alphasCumprod.length - 1] = 0x1p-24f;
    }
    return new TrainingSchedule(betas, alphasCumprod);
  }

  /** Number of training timesteps. */
  public int size() {
    return alphasCumprod.length;
  }

  /** {@code sqrt((1 - ac) / ac)} per training timestep, ascending in t, in float32. */
  public float[] sigmas() {
    float[] s = new float[alphasCumprod.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = F32.sqrt((1f - alphasCumprod[i]) / alphasCumprod[i]);
    }
    return s;
  }

  /**
   * torch.linspace in float32 on the CPU: the kernel fills from both ends towards the middle and
   * its compiler fuses {@code start + step * i} into one fma, which Math.fma reproduces exactly.
   */
  public static float[] torchLinspace(float start, float end, int steps) {
    float[] out = new float[steps];
    if (steps == 1) {
      out[0] = start;
      return out;
    }
    float step = (end - start) / (float) (steps - 1);
    int halfway = steps / 2;
    for (int i = 0; i < steps; i++) {
      out[i] =
          i < halfway
              ? Math.fma(step, (float) i, start)
              : Math.fma(-step, (float) (steps - i - 1), end);
    }
    return out;
  }

  private static float[] square(float[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * x[i];
    }
    return out;
  }

  /** Glide's cosine schedule: computed in Python floats, then stored as float32. */
  private static float[] cosineBetas(int n) {
    float[] betas = new float[n];
    for (int i = 0; i < n; i++) {
      double t1 = (double) i / n;
      double t2 = (double) (i + 1) / n;
      betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
    }
    return betas;
  }

  private static double alphaBar(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  /** torch.cumprod on the CPU accumulates float32 input in double and stores each prefix. */
  private static float[] cumprod(float[] betas) {
    float[] out = new float[betas.length];
    double acc = 1;
    for (int i = 0; i < betas.length; i++) {
      acc *= 1f - betas[i];
      out[i] = (float) acc;
    }
    return out;
  }

  /** Rescales betas to zero terminal SNR (Lin et al. 2023), in float32 as diffusers does. */
  private static float[] rescaleZeroTerminalSnr(float[] betas) {
    float[] sqrtBar = cumprod(betas);
    for (int i = 0; i < sqrtBar.length; i++) {
      sqrtBar[i] = F32.sqrt(sqrtBar[i]);
    }
    float first = sqrtBar[0];
    float last = sqrtBar[sqrtBar.length - 1];
    float scale = first / (first - last);
    float[] bar = new float[sqrtBar.length];
    for (int i = 0; i < bar.length; i++) {
      float v = (sqrtBar[i] - last) * scale;
      bar[i] = v * v;
    }
    float[] out = new float[bar.length];
    out[0] = 1f - bar[0];
    for (int i = 1; i < bar.length; i++) {
      out[i] = 1f - bar[i] / bar[i - 1];
    }
    return out;
  }
}
