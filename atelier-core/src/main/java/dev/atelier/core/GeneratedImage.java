package dev.atelier.core;

import dev.atelier.core.image.RgbImage;
import java.util.Map;
import java.util.Objects;

/**
 * One produced image with what is needed to produce it again.
 *
 * @param image the pixels
 * @param seed the seed that regenerates this image alone (per-image noise) or the batch's seed
 * @param parameters provenance: engine, model, prompt, scheduler, steps, guidance, seed, ... as
 *     text, in a stable order; written into PNG metadata
 */
public record GeneratedImage(RgbImage image, long seed, Map<String, String> parameters) {
  /** Copies the parameters. */
  public GeneratedImage {
    Objects.requireNonNull(image, "image");
    parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
  }
}
