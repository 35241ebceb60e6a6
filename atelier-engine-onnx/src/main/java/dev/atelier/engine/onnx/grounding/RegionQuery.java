package dev.atelier.engine.onnx.grounding;

import java.util.List;
import java.util.Objects;

/**
 * What to find: a target phrase, phrases whose pixels must stay untouched, which of several matches
 * to take, and how to grow and soften the mask.
 *
 * <p>Choosing a match: the target's regions (connected components) are ordered along an axis and
 * the {@code ordinal}-th is taken, counting from 1. {@link Side#LEFT} orders by centroid from left
 * to right, {@link Side#RIGHT} from right to left, {@link Side#TOP} top to bottom, {@link
 * Side#BOTTOM} bottom to top and {@link Side#CENTER} by the centroid's distance to the image
 * centre; {@link Side#ANY} orders left to right. So "the second cup from the right" is {@code
 * RIGHT, 2}. With a side, ordinal 0 means 1 (the region nearest that side); with {@link Side#ANY},
 * ordinal 0 means every region at once ("the cups").
 *
 * @param target the phrase to find, not blank
 * @param keep phrases whose regions are subtracted from the result, so they are never edited
 * @param side which end of the ordering to count from; {@link Side#ANY} when none was said
 * @param ordinal which region to take, from 1; 0 when none was said (see above)
 * @param dilate pixels by which the region and the keep regions grow, at least 0
 * @param feather pixels over which the mask falls linearly from 1 to 0 outside the region, at least
 *     0 (0 gives a hard edge)
 * @param threshold the probability at or above which a pixel belongs to a phrase, in (0, 1)
 */
public record RegionQuery(
    String target,
    List<String> keep,
    Side side,
    int ordinal,
    int dilate,
    int feather,
    float threshold) {

  /**
   * The default threshold, 0.4. CLIPSeg's probabilities are soft and rarely reach 0.9 even on a
   * clear match, while background usually stays below 0.3; 0.4 is the cut-off commonly used with
   * the public CLIPSeg checkpoints for inpainting masks, a little looser than 0.5 so that object
   * edges are not lost.
   */
  public static final float DEFAULT_THRESHOLD = 0.4f;

  /** Where to count matches from when a phrase matches several regions. */
  public enum Side {
    /** No side was named: all regions, or the ordinal-th from the left. */
    ANY,
    /** Count from the left edge. */
    LEFT,
    /** Count from the right edge. */
    RIGHT,
    /** Count from the top edge. */
    TOP,
    /** Count from the bottom edge. */
    BOTTOM,
    /** Count outward from the image centre. */
    CENTER
  }

  /**
   * Validates every field and copies {@code keep}.
   *
   * @throws IllegalArgumentException naming the field, with the expected range and the value found
   */
  public RegionQuery {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(side, "side");
    keep = List.copyOf(keep);
    if (target.isBlank()) {
      throw new IllegalArgumentException("target must be a non-blank phrase but was blank");
    }
    for (int i = 0; i < keep.size(); i++) {
      if (keep.get(i).isBlank()) {
        throw new IllegalArgumentException(
            "keep[" + i + "] must be a non-blank phrase but was blank");
      }
    }
    if (ordinal < 0) {
      throw new IllegalArgumentException("ordinal must be >= 0 but was " + ordinal);
    }
    if (dilate < 0) {
      throw new IllegalArgumentException("dilate must be >= 0 pixels but was " + dilate);
    }
    if (feather < 0) {
      throw new IllegalArgumentException("feather must be >= 0 pixels but was " + feather);
    }
    if (!(threshold > 0f && threshold < 1f)) {
      throw new IllegalArgumentException("threshold must be in (0, 1) but was " + threshold);
    }
  }

  /**
   * A query for {@code target} alone: no keep phrases, every region, no growth, hard edge, {@link
   * #DEFAULT_THRESHOLD}.
   *
   * @param target the phrase to find
   * @return the query
   */
  public static RegionQuery of(String target) {
    return new RegionQuery(target, List.of(), Side.ANY, 0, 0, 0, DEFAULT_THRESHOLD);
  }

  /** This query with other keep phrases. */
  public RegionQuery withKeep(List<String> phrases) {
    return new RegionQuery(target, phrases, side, ordinal, dilate, feather, threshold);
  }

  /** This query with another side and ordinal. */
  public RegionQuery withChoice(Side newSide, int newOrdinal) {
    return new RegionQuery(target, keep, newSide, newOrdinal, dilate, feather, threshold);
  }

  /** This query with another dilation radius in pixels. */
  public RegionQuery withDilate(int pixels) {
    return new RegionQuery(target, keep, side, ordinal, pixels, feather, threshold);
  }

  /** This query with another feather radius in pixels. */
  public RegionQuery withFeather(int pixels) {
    return new RegionQuery(target, keep, side, ordinal, dilate, pixels, threshold);
  }

  /** This query with another probability threshold. */
  public RegionQuery withThreshold(float value) {
    return new RegionQuery(target, keep, side, ordinal, dilate, feather, value);
  }
}
