package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.scheduler.Scheduler;
import java.util.Arrays;

/**
 * diffusers' {@code get_timesteps(num_inference_steps, strength)}: the last {@code int(steps *
 * strength)} steps of the schedule, for runs that start from an image's latents instead of noise
 * (image-to-image, and inpainting below strength 1).
 */
final class Strength {
  private Strength() {}

  /**
   * Sets {@code scheduler}'s timesteps for {@code steps} and returns those kept, with the
   * scheduler's begin index at the first of them.
   *
   * @throws IllegalArgumentException when the strength leaves no step to run
   */
  static float[] keptTimesteps(Scheduler scheduler, int steps, double strength) {
    scheduler.setTimesteps(steps);
    int init = Math.min((int) (steps * strength), steps);
    if (init < 1) {
      throw new IllegalArgumentException(
          "strength "
              + strength
              + " with "
              + steps
              + " steps runs no step; raise strength or steps so that steps * strength >= 1");
    }
    int start = Math.max(steps - init, 0) * scheduler.order();
    float[] all = scheduler.timesteps();
    scheduler.setBeginIndex(start);
    return Arrays.copyOfRange(all, start, all.length);
  }
}
