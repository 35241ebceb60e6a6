package dev.atelier.core;

import dev.atelier.core.image.RgbImage;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One denoising step finished.
 *
 * @param step 1-based index of the finished step
 * @param totalSteps steps this run takes
 * @param previewSource computes a cheap approximate preview of the current images on demand
 */
public record StepProgress(int step, int totalSteps, Supplier<Optional<RgbImage>> previewSource) {

  /** Validates the counters. */
  public StepProgress {
    if (totalSteps < 1 || step < 1 || step > totalSteps) {
      throw new IllegalArgumentException(
          "step must be 1.." + totalSteps + " but was " + step + " of " + totalSteps);
    }
  }

  /** An approximate preview of image 0 (latents projected to RGB), when the engine offers one. */
  public Optional<RgbImage> preview() {
    return previewSource.get();
  }
}
