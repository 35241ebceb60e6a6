package dev.atelier.core;

/** Receives a call after every denoising step; called on the engine's thread, so keep it short. */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores progress. */
  ProgressListener NONE = p -> {};

  /** Called once per finished step. */
  void onStep(StepProgress progress);

  /**
   * How many partial images the caller wants while the image is made (0..3, OpenAI's {@code
   * partial_images}). Engines that receive partial images from elsewhere (an upstream's stream) ask
   * for that many and report each as a step whose preview is the partial image; the local engine
   * reports every step and the caller picks which previews to send.
   */
  default int partialImages() {
    return 0;
  }

  /**
   * Reports that {@code done} of the call's images are finished (after each sub-batch of a call
   * split to bound memory); does nothing by default.
   */
  default void onImagesDone(int done) {}
}
