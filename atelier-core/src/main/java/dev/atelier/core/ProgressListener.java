package dev.atelier.core;

/** Receives a call after every denoising step; called on the engine's thread, so keep it short. */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores progress. */
  ProgressListener NONE = p -> {};

  /** Called once per finished step. */
  void onStep(StepProgress progress);
}
