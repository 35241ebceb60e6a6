package dev.atelier.core.edit;

import java.util.List;
import java.util.Objects;

/**
 * What to ground and how to shape the mask.
 *
 * @param phrase the target in English ("sofa")
 * @param keep English phrases whose regions must never be edited
 * @param side {@code left|right|top|bottom|center}, or {@code ""} for none
 * @param ordinal 1-based position counted from {@code side}; 0 for none
 * @param dilatePx grow the region by this many pixels (covers edges the model misses)
 * @param featherPx soften the border over this many pixels
 * @param threshold probability above which a pixel belongs to the phrase
 */
public record GroundingQuery(
    String phrase,
    List<String> keep,
    String side,
    int ordinal,
    int dilatePx,
    int featherPx,
    double threshold) {

  /** Default dilation, feathering and threshold for a 512-pixel image. */
  public static final int DEFAULT_DILATE = 8;

  /** Default feather radius. */
  public static final int DEFAULT_FEATHER = 6;

  /** Default probability threshold. */
  public static final double DEFAULT_THRESHOLD = 0.4;

  /** Validates the values. */
  public GroundingQuery {
    Objects.requireNonNull(phrase, "phrase");
    Objects.requireNonNull(side, "side");
    keep = List.copyOf(keep);
    if (phrase.isBlank()) {
      throw new IllegalArgumentException("phrase must not be empty");
    }
    if (!List.of("", "left", "right", "top", "bottom", "center").contains(side)) {
      throw new IllegalArgumentException(
          "side must be left, right, top, bottom, center or empty but was '" + side + "'");
    }
    if (ordinal < 0 || dilatePx < 0 || featherPx < 0) {
      throw new IllegalArgumentException(
          "ordinal, dilate and feather must be >= 0 but were "
              + ordinal
              + ", "
              + dilatePx
              + ", "
              + featherPx);
    }
    if (!(threshold > 0 && threshold < 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1) but was " + threshold);
    }
  }
}
