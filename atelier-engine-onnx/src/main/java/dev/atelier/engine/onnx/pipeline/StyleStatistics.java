package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.scheduler.Scheduler;
import java.util.List;

/**
 * Per-channel mean and standard deviation of a style reference's scaled latents, and the step hook
 * that pulls a run's latents toward them during the early steps (AdaIN in latent space).
 *
 * <p>After scheduler step {@code i} of {@code N}, with {@code progress = i / N}, the factor is
 * {@code f = weight * (1 - progress / }{@value #EARLY_FRACTION}{@code )} while {@code progress <
 * }{@value #EARLY_FRACTION} and 0 after: the first 40 % of the steps set palette and tonal range,
 * the rest are left to the model so detail is not fought. The latents are noisy, so the pull works
 * on the clean part: with the scheduler's forward process {@code x = a * x0 + s * eps} at the next
 * timestep ({@code a}, {@code s} read from {@link Scheduler#addNoise}), each image's and channel's
 * clean statistics are estimated as {@code mu / a} and {@code sqrt(max(var - s^2, 0)) / a}, moved a
 * fraction {@code f} toward the reference's, and the channel is affinely mapped to the noisy
 * statistics those imply ({@code a * mu0'}, {@code sqrt(a^2 * sigma0'^2 + s^2)}), so the noise
 * level the scheduler expects is kept.
 *
 * @param mean per channel
 * @param std per channel
 */
public record StyleStatistics(float[] mean, float[] std) {
  /** Share of the steps, from the start, during which the latents are pulled. */
  public static final double EARLY_FRACTION = 0.4;

  /** Checks the lengths. */
  public StyleStatistics {
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException(
          "mean and std must have the same non-zero length but have "
              + mean.length
              + " and "
              + std.length);
    }
  }

  /** The statistics of image 0 of {@code latents} ({@code [b, c, h, w]}). */
  public static StyleStatistics of(float[] latents, long[] shape) {
    int c = (int) shape[1];
    int hw = (int) (shape[2] * shape[3]);
    float[] mean = new float[c];
    float[] std = new float[c];
    for (int ch = 0; ch < c; ch++) {
      double[] ms = meanVar(latents, ch * hw, hw);
      mean[ch] = (float) ms[0];
      std[ch] = (float) Math.sqrt(ms[1]);
    }
    return new StyleStatistics(mean, std);
  }

  /** The channel-wise average of several references' statistics. */
  public static StyleStatistics average(List<StyleStatistics> all) {
    int c = all.get(0).mean.length;
    float[] mean = new float[c];
    float[] std = new float[c];
    for (StyleStatistics s : all) {
      for (int ch = 0; ch < c; ch++) {
        mean[ch] += s.mean[ch] / all.size();
        std[ch] += s.std[ch] / all.size();
      }
    }
    return new StyleStatistics(mean, std);
  }

  /** The pull factor after step {@code index} of {@code steps} at {@code weight}. */
  public static double factor(int index, int steps, double weight) {
    double progress = (double) index / steps;
    return progress < EARLY_FRACTION ? weight * (1 - progress / EARLY_FRACTION) : 0;
  }

  /**
   * The hook for a run over {@code timesteps}; it returns the latents unchanged (the same array)
   * whenever the factor is 0, so weight 0 changes nothing.
   */
  StepHook hook(Scheduler scheduler, float[] timesteps, long[] shape, double weight) {
    return (i, x) -> {
      double f = factor(i, timesteps.length, weight);
      if (f <= 0) {
        return x;
      }
      float a = 1;
      float s = 0;
      if (i < timesteps.length - 1) {
        a = scheduler.addNoise(new float[] {1}, new float[] {0}, timesteps[i + 1])[0];
        s = scheduler.addNoise(new float[] {0}, new float[] {1}, timesteps[i + 1])[0];
      }
      return pull(x, shape, f, a, s);
    };
  }

  /**
   * Moves each image's and channel's clean statistics a fraction {@code f} toward these, for
   * latents {@code x = a * x0 + s * eps}.
   */
  public float[] pull(float[] x, long[] shape, double f, float a, float s) {
    int n = (int) shape[0];
    int c = (int) shape[1];
    int hw = (int) (shape[2] * shape[3]);
    float[] out = new float[x.length];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        int from = (b * c + ch) * hw;
        double[] ms = meanVar(x, from, hw);
        double mu = ms[0];
        double sigma = Math.sqrt(ms[1]);
        double mu0 = mu / a;
        double sigma0 = Math.sqrt(Math.max(ms[1] - (double) s * s, 0)) / a;
        int k = ch % mean.length;
        double mu0t = mu0 + f * (mean[k] - mu0);
        double sigma0t = sigma0 + f * (std[k] - sigma0);
        double muT = a * mu0t;
        double sigmaT = Math.sqrt((double) a * a * sigma0t * sigma0t + (double) s * s);
        double scale = sigma > 1e-12 ? sigmaT / sigma : 1;
        for (int p = from; p < from + hw; p++) {
          out[p] = (float) ((x[p] - mu) * scale + muT);
        }
      }
    }
    return out;
  }

  private static double[] meanVar(float[] x, int from, int count) {
    double sum = 0;
    for (int p = from; p < from + count; p++) {
      sum += x[p];
    }
    double mean = sum / count;
    double sq = 0;
    for (int p = from; p < from + count; p++) {
      double d = x[p] - mean;
      sq += d * d;
    }
    return new double[] {mean, sq / count};
  }
}
