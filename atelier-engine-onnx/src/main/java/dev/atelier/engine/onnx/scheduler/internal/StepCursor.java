package dev.atelier.engine.onnx.scheduler.internal;

/**
 * diffusers' {@code _step_index} / {@code _begin_index} pair.
 *
 * <p>The step index stays unset until the first {@code scale_model_input} or {@code step} after
 * {@code set_timesteps}; it then starts at the begin index when one was given (image-to-image) and
 * otherwise where the timestep occurs in the schedule.
 */
public final class StepCursor {
  private int step = -1;
  private int begin = -1;

  /** Forgets both indices, as {@code set_timesteps} does. */
  public void reset() {
    step = -1;
    begin = -1;
  }

  /** Sets the begin index. */
  public void setBegin(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("begin index must be at least 0 but was " + index);
    }
    begin = index;
  }

  /**
   * The current step index, initialising it from {@code timestep} when unset.
   *
   * @param lastWhenMissing whether an unknown timestep maps to the last index (DPM-Solver) rather
   *     than being an error (Euler, LCM)
   */
  public int current(float timestep, float[] timesteps, boolean lastWhenMissing) {
    if (step < 0) {
      step = begin >= 0 ? begin : indexFor(timestep, timesteps, lastWhenMissing);
    }
    if (step >= timesteps.length) {
      throw new IllegalStateException(
          "the schedule has " + timesteps.length + " steps but step " + step + " was requested");
    }
    return step;
  }

  /** Moves to the next step. */
  public void advance() {
    step++;
  }

  /**
   * The index add_noise uses: the timestep's own index without a begin index, else the current step
   * once stepping has started, else the begin index.
   */
  public int forAddNoise(float timestep, float[] timesteps, boolean lastWhenMissing) {
    if (begin < 0) {
      return indexFor(timestep, timesteps, lastWhenMissing);
    }
    return step >= 0 ? step : begin;
  }

  /**
   * diffusers' {@code index_for_timestep}: the second match when the timestep occurs twice, so that
   * image-to-image starting mid-schedule does not skip a sigma.
   */
  public static int indexFor(float timestep, float[] timesteps, boolean lastWhenMissing) {
    int first = -1;
    for (int i = 0; i < timesteps.length; i++) {
      if (timesteps[i] == timestep) {
        if (first >= 0) {
          return i;
        }
        first = i;
      }
    }
    if (first >= 0) {
      return first;
    }
    if (lastWhenMissing) {
      return timesteps.length - 1;
    }
    throw new IllegalArgumentException(
        "timestep must be one of the schedule's timesteps but was " + timestep);
  }
}
