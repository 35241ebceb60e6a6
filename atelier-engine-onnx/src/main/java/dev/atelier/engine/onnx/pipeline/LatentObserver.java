package dev.atelier.engine.onnx.pipeline;

/** Sees the latents after each denoising step (golden tests, previews). */
@FunctionalInterface
public interface LatentObserver {
  /** Observes nothing. */
  LatentObserver NONE = (step, latents, shape) -> {};

  /**
   * Called after step {@code step} (0-based) with the new latents; must not modify them.
   *
   * @param shape {@code [batch, 4, h, w]}
   */
  void afterStep(int step, float[] latents, long[] shape);
}
