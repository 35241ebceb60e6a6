package dev.atelier.engine.onnx.scheduler.internal;

/**
 * The NumPy routines diffusers builds inference schedules with, in float64 like NumPy, plus the
 * sigma conversions (Karras, exponential, sigma to timestep) shared by the sigma-based schedulers.
 */
public final class Spacing {
  private Spacing() {}

  /** {@code np.linspace(start, stop, num, endpoint)}: {@code i * step + start}, exact end. */
  public static double[] linspace(double start, double stop, int num, boolean endpoint) {
    double[] y = new double[num];
    int div = endpoint ? num - 1 : num;
    double delta = stop - start;
    double step = div > 0 ? delta / div : Double.NaN;
    for (int i = 0; i < num; i++) {
      if (div <= 0) {
        y[i] = i * delta + start;
      } else if (step == 0) {
        y[i] = i / (double) div * delta + start;
      } else {
        y[i] = i * step + start;
      }
    }
    if (endpoint && num > 1) {
      y[num - 1] = stop;
    }
    return y;
  }

  /**
   * {@code np.arange(start, stop, step)} for floats: NumPy fills {@code start + i * delta} where
   * delta is recomputed as {@code (start + step) - start}, which can differ from step in the last
   * bit.
   */
  public static double[] arange(double start, double stop, double step) {
    int len = (int) Math.max(0, Math.ceil((stop - start) / step));
    double[] y = new double[len];
    double delta = (start + step) - start;
    for (int i = 0; i < len; i++) {
      y[i] = i == 1 ? start + step : start + i * delta;
    }
    return y;
  }

  /** "leading" spacing: {@code n} multiples of {@code ratio}, descending, plus an offset. */
  public static double[] leading(int n, int ratio, int offset) {
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = (double) (n - 1 - i) * ratio + offset;
    }
    return t;
  }

  /**
   * "trailing" spacing: {@code round(arange(from, 0, -trainSteps / n)) - 1}, rounding half to even
   * like {@code np.round}.
   */
  public static double[] trailing(int from, int trainSteps, int n) {
    double[] t = arange(from, 0, -((double) trainSteps / n));
    for (int i = 0; i < t.length; i++) {
      t[i] = Math.rint(t[i]) - 1;
    }
    return t;
  }

  /** Rounds half to even in place and returns the array. */
  public static double[] rint(double[] x) {
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.rint(x[i]);
    }
    return x;
  }

  /** Reverses in place and returns the array. */
  public static double[] reverse(double[] x) {
    for (int i = 0, j = x.length - 1; i < j; i++, j--) {
      double tmp = x[i];
      x[i] = x[j];
      x[j] = tmp;
    }
    return x;
  }

  /** Narrows to float32. */
  public static float[] toFloat(double[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (float) x[i];
    }
    return out;
  }

  /**
   * {@code np.interp(x, arange(len(fp)), fp)}: exact table values at integral points, otherwise
   * {@code slope * (x - x_j) + fp[j]} in float64.
   */
  public static double[] interp(double[] x, float[] fp) {
    double[] out = new double[x.length];
    int last = fp.length - 1;
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      if (v <= 0) {
        out[i] = fp[0];
      } else if (v >= last) {
        out[i] = fp[last];
      } else {
        int j = (int) Math.floor(v);
        double slope = (double) fp[j + 1] - fp[j];
        out[i] = v == j ? fp[j] : slope * (v - j) + fp[j];
      }
    }
    return out;
  }

  /** Karras et al. (2022) sigmas with rho = 7, from {@code sigmaMax} down to {@code sigmaMin}. */
  public static double[] karras(double sigmaMin, double sigmaMax, int n) {
    double[] ramp = linspace(0, 1, n, true);
    double minInvRho = Math.pow(sigmaMin, 1 / 7.0);
    double maxInvRho = Math.pow(sigmaMax, 1 / 7.0);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), 7.0);
    }
    return out;
  }

  /** Sigmas evenly spaced in log space from {@code sigmaMax} down to {@code sigmaMin}. */
  public static double[] exponential(double sigmaMin, double sigmaMax, int n) {
    double[] out = linspace(Math.log(sigmaMax), Math.log(sigmaMin), n, true);
    for (int i = 0; i < n; i++) {
      out[i] = Math.exp(out[i]);
    }
    return out;
  }

  /** Elementwise float32 natural log, as {@code np.log} on a float32 array. */
  public static float[] log(float[] x) {
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = F32.log(x[i]);
    }
    return out;
  }

  /**
   * The fractional training timestep whose sigma is {@code sigma}, interpolating linearly in log
   * sigma. The bracket difference {@code low - high} is a float32 subtraction, as in NumPy.
   */
  public static double sigmaToT(double sigma, float[] logSigmas) {
    double logSigma = Math.log(Math.max(sigma, 1e-10));
    int low = 0;
    for (int i = 0; i < logSigmas.length; i++) {
      if (logSigma - logSigmas[i] >= 0) {
        low = i;
      }
    }
    low = Math.min(low, logSigmas.length - 2);
    float lo = logSigmas[low];
    float hi = logSigmas[low + 1];
    double w = (lo - logSigma) / (double) (lo - hi);
    w = Math.max(0, Math.min(1, w));
    return (1 - w) * low + w * (low + 1);
  }
}
