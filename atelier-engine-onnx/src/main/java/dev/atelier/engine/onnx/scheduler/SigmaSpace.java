package dev.atelier.engine.onnx.scheduler;

import dev.atelier.engine.onnx.scheduler.internal.F32;
import dev.atelier.engine.onnx.scheduler.internal.Spacing;

/**
 * What diffusers' two Euler schedulers share: their timestep spacing, the initial noise sigma and
 * the scaling of the model input by {@code 1 / sqrt(sigma^2 + 1)}.
 */
final class SigmaSpace {
  private SigmaSpace() {}

  /**
   * The spaced timesteps, descending, as diffusers' Euler schedulers compute them (no rounding for
   * {@code linspace}, unlike DDIM).
   */
  static double[] spacedTimesteps(
      String spacing, int numInferenceSteps, int trainSteps, SchedulerConfig config) {
    return switch (spacing) {
      case "linspace" ->
          Spacing.reverse(Spacing.linspace(0, trainSteps - 1, numInferenceSteps, true));
      case "leading" ->
          Spacing.leading(
              numInferenceSteps, trainSteps / numInferenceSteps, config.integer("steps_offset", 0));
      default -> Spacing.trailing(trainSteps, trainSteps, numInferenceSteps);
    };
  }

  /** The largest sigma, or {@code sqrt(max^2 + 1)} for {@code leading} spacing. */
  static float initNoiseSigma(float[] sigmas, String spacing) {
    float max = Float.NEGATIVE_INFINITY;
    for (float s : sigmas) {
      max = Math.max(max, s);
    }
    return spacing.equals("leading") ? F32.sqrt(max * max + 1f) : max;
  }

  /** {@code sample / sqrt(sigma^2 + 1)}. */
  static float[] scaleModelInput(float[] sample, float sigma) {
    float denom = F32.sqrt(sigma * sigma + 1f);
    float[] out = new float[sample.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = sample[i] / denom;
    }
    return out;
  }

  /** The float32 timesteps widened, to interpolate sigmas at them as diffusers does. */
  static double[] widen(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
