package dev.atelier.core.edit;

import dev.atelier.core.image.RgbImage;

/**
 * Finds the region a phrase names in an image ("the sofa", "the second vase on the left"), minus
 * regions that must be kept. Implemented by engines that carry a grounding model (CLIPSeg).
 */
public interface Grounder {
  /**
   * Locates {@code query} in {@code image}.
   *
   * @throws dev.atelier.core.AtelierException.InvalidRequest when the phrase grounds to nothing;
   *     the message names the phrase and the best score
   */
  Region locate(RgbImage image, GroundingQuery query);
}
