package dev.atelier.core.edit;

import dev.atelier.core.image.Box;
import dev.atelier.core.image.Mask;
import java.util.Objects;

/**
 * A grounded region.
 *
 * @param feathered the mask to edit with (1 inside, falling to 0 over the feather), image-sized
 * @param hard the dilated region before feathering (what "outside the edited region" is measured
 *     against)
 * @param bestScore highest probability the phrase reached anywhere
 * @param box the bounding box of every non-zero pixel of {@code feathered}
 * @param notes what the grounder decided that the caller should hear (a keep phrase it did not
 *     subtract), as sentences for the response's warnings
 */
public record Region(
    Mask feathered, Mask hard, double bestScore, Box box, java.util.List<String> notes) {

  /** A region without notes. */
  public Region(Mask feathered, Mask hard, double bestScore, Box box) {
    this(feathered, hard, bestScore, box, java.util.List.of());
  }

  /** Checks for nulls and equal sizes. */
  public Region {
    Objects.requireNonNull(feathered, "feathered");
    Objects.requireNonNull(hard, "hard");
    Objects.requireNonNull(box, "box");
    notes = java.util.List.copyOf(notes);
    if (feathered.width() != hard.width() || feathered.height() != hard.height()) {
      throw new IllegalArgumentException("feathered and hard masks must have the same size");
    }
  }
}
