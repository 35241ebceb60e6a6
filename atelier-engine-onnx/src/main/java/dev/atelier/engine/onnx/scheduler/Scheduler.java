package dev.atelier.engine.onnx.scheduler;

import dev.atelier.engine.onnx.rng.NoiseSource;
import java.util.Optional;

/**
 * One denoising schedule, with diffusers' semantics and state.
 *
 * <p>An instance belongs to one pipeline run: {@link #setTimesteps} starts a schedule, then the
 * pipeline calls {@link #scaleModelInput} and {@link #step} once per timestep, in order. Like
 * diffusers, the current step index is set by the first of those calls (from {@link #setBeginIndex}
 * when given, otherwise by finding the timestep in the schedule). Latents are flat row-major arrays
 * of shape {@code [batch, channels, height, width]}; the scheduler treats them elementwise except
 * when drawing noise, where it asks for the whole shape at once.
 */
public interface Scheduler {

  /** The configuration this scheduler was built from. */
  SchedulerConfig config();

  /**
   * Computes the schedule for {@code numInferenceSteps} steps and resets the step index.
   *
   * @throws IllegalArgumentException when the step count is below 1 or above the training steps
   */
  void setTimesteps(int numInferenceSteps);

  /** The timesteps of the current schedule, first to last (integral values for discrete ones). */
  float[] timesteps();

  /** The sigmas of the schedule including the trailing final sigma, for sigma-based schedulers. */
  Optional<float[]> sigmas();

  /**
   * Standard deviation of the initial noise: latents = noise * initNoiseSigma for text-to-image.
   */
  float initNoiseSigma();

  /** Steps taken per timestep (1 for every scheduler here; kept for diffusers parity). */
  default int order() {
    return 1;
  }

  /** Starts the run at {@code index} into {@link #timesteps()} (image-to-image with strength). */
  void setBeginIndex(int index);

  /**
   * Scales the denoising input for the model at {@code timestep} (Euler divides by
   * sqrt(sigma^2+1)); returns a new array or {@code sample} itself when nothing changes.
   */
  float[] scaleModelInput(float[] sample, float timestep);

  /**
   * One denoising step: the sample at the next timestep.
   *
   * @param modelOutput the (guided) UNet output, same shape as {@code sample}
   * @param timestep the current timestep, as listed in {@link #timesteps()}
   * @param sample the current latents
   * @param shape shape of {@code sample}, used when the step draws noise
   * @param noise where stochastic steps (Euler ancestral, LCM) draw their noise
   * @return the new latents (a new array)
   */
  float[] step(
      float[] modelOutput, float timestep, float[] sample, long[] shape, NoiseSource noise);

  /**
   * Noises {@code original} to the level of {@code timestep} (image-to-image start, inpainting
   * blend), following diffusers' {@code add_noise} including its step-index rules.
   */
  float[] addNoise(float[] original, float[] noise, float timestep);

  /** The latest denoised estimate (x0) the last step computed, when the scheduler has one. */
  default Optional<float[]> predictedOriginalSample() {
    return Optional.empty();
  }
}
