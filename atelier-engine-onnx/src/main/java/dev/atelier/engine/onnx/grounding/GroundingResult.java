package dev.atelier.engine.onnx.grounding;

import dev.atelier.core.image.Mask;
import java.util.Objects;

/**
 * Where a phrase was found in an image, as a mask ready for inpainting.
 *
 * @param mask the final mask at image size: 1 on the chosen region after dilation, falling linearly
 *     to 0 over the feather radius, and 0 on every kept pixel
 * @param hardRegion the binary region before feathering: the chosen components, dilated, minus the
 *     dilated keep regions
 * @param bestScore the highest probability of the target phrase anywhere in the image, in [0, 1]
 * @param components how many separate regions of the target passed the threshold, before the side
 *     and ordinal chose among them
 * @param box the bounding box of the non-zero pixels of {@code mask}, feather included, so that a
 *     crop to it holds everything that will be repainted
 * @param ignoredKeeps the keep phrases that were not subtracted because they covered the whole
 *     target (a grounding model reads "the other furniture" as including the sofa to change)
 */
public record GroundingResult(
    Mask mask,
    Mask hardRegion,
    double bestScore,
    int components,
    Box box,
    java.util.List<String> ignoredKeeps) {

  /** A result that subtracted every keep phrase. */
  public GroundingResult(Mask mask, Mask hardRegion, double bestScore, int components, Box box) {
    this(mask, hardRegion, bestScore, components, box, java.util.List.of());
  }

  /**
   * Validates the parts.
   *
   * @throws IllegalArgumentException if the masks differ in size, the score lies outside [0, 1] or
   *     the component count is below 1
   */
  public GroundingResult {
    Objects.requireNonNull(mask, "mask");
    Objects.requireNonNull(hardRegion, "hardRegion");
    Objects.requireNonNull(box, "box");
    ignoredKeeps = java.util.List.copyOf(ignoredKeeps);
    if (mask.width() != hardRegion.width() || mask.height() != hardRegion.height()) {
      throw new IllegalArgumentException(
          "mask and hardRegion must have the same size but were %dx%d and %dx%d"
              .formatted(mask.width(), mask.height(), hardRegion.width(), hardRegion.height()));
    }
    if (!(bestScore >= 0 && bestScore <= 1)) {
      throw new IllegalArgumentException("bestScore must be in [0, 1] but was " + bestScore);
    }
    if (components < 1) {
      throw new IllegalArgumentException("components must be at least 1 but was " + components);
    }
  }
}
