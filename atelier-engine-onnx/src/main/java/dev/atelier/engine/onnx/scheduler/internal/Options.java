package dev.atelier.engine.onnx.scheduler.internal;

import dev.atelier.engine.onnx.scheduler.SchedulerConfig;
import java.util.Arrays;

/** Validated reads of scheduler config values and of step-count arguments. */
public final class Options {
  private Options() {}

  /**
   * The string at {@code key}, or {@code fallback}, checked against {@code allowed}.
   *
   * @throws IllegalArgumentException naming the allowed values and the value found
   */
  public static String choice(SchedulerConfig c, String key, String fallback, String... allowed) {
    String v = c.string(key, fallback);
    if (!Arrays.asList(allowed).contains(v)) {
      throw new IllegalArgumentException(
          key + " must be one of " + String.join(", ", allowed) + " but was '" + v + "'");
    }
    return v;
  }

  /** Rejects a flag that selects a diffusers feature these schedulers do not implement. */
  public static void unsupported(SchedulerConfig c, String key, String className) {
    if (c.bool(key, false)) {
      throw new IllegalArgumentException(
          key + " must be false for " + className + " (not supported) but was true");
    }
  }

  /**
   * Checks an inference step count against the training steps.
   *
   * @throws IllegalArgumentException when {@code steps} is outside {@code [1, trainSteps]}
   */
  public static void checkSteps(int steps, int trainSteps) {
    if (steps < 1 || steps > trainSteps) {
      throw new IllegalArgumentException(
          "num_inference_steps must be between 1 and num_train_timesteps ("
              + trainSteps
              + ") but was "
              + steps);
    }
  }

  /**
   * Reads an integral training timestep given as a float.
   *
   * @throws IllegalArgumentException when it is fractional or outside the training range
   */
  public static int trainingTimestep(float timestep, int trainSteps) {
    int t = (int) timestep;
    if (t != timestep || t < 0 || t >= trainSteps) {
      throw new IllegalArgumentException(
          "timestep must be an integer in [0, " + (trainSteps - 1) + "] but was " + timestep);
    }
    return t;
  }
}
