package dev.atelier.engine.onnx.pipeline;

/** Post-processing of the latents after a scheduler step (inpainting's latent blending). */
@FunctionalInterface
interface StepHook {
  /** No post-processing. */
  StepHook NONE = (index, latents) -> latents;

  /** Returns the latents to continue with after step {@code index} (0-based). */
  float[] afterStep(int index, float[] latents);
}
