package dev.atelier.core.batch;

import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks on the images of one batch that need no model: which images are near-duplicates of each
 * other.
 *
 * <p>A batch of variations should hold distinct takes: no two images within {@link
 * PerceptualHash#NEAR_DUPLICATE_MAX_DISTANCE} bits of each other's {@link PerceptualHash}.
 */
public final class BatchChecks {

  private BatchChecks() {}

  /**
   * Two positions in a batch, the lower first.
   *
   * @param first the lower index, from 0
   * @param second the higher index
   */
  public record IndexPair(int first, int second) {
    /**
     * Validates the order.
     *
     * @throws IllegalArgumentException unless {@code 0 <= first < second}
     */
    public IndexPair {
      if (first < 0 || second <= first) {
        throw new IllegalArgumentException(
            "an index pair needs 0 <= first < second but was (" + first + ", " + second + ")");
      }
    }
  }

  /**
   * The pairs of images whose perceptual hashes are at most {@link
   * PerceptualHash#NEAR_DUPLICATE_MAX_DISTANCE} apart.
   *
   * @param images the batch
   * @return the pairs, ordered by first index, then second; empty when all images are distinct
   */
  public static List<IndexPair> nearDuplicates(List<RgbImage> images) {
    return nearDuplicatesOfHashes(images.stream().map(PerceptualHash::of).toList());
  }

  /**
   * The pairs of hashes at most {@link PerceptualHash#NEAR_DUPLICATE_MAX_DISTANCE} apart, for
   * callers that keep the hashes of images already checked.
   *
   * @param hashes one hash per image of the batch
   * @return the pairs, ordered by first index, then second
   */
  public static List<IndexPair> nearDuplicatesOfHashes(List<PerceptualHash> hashes) {
    List<IndexPair> out = new ArrayList<>();
    for (int i = 0; i < hashes.size(); i++) {
      for (int j = i + 1; j < hashes.size(); j++) {
        if (hashes.get(i).isNearDuplicateOf(hashes.get(j))) {
          out.add(new IndexPair(i, j));
        }
      }
    }
    return List.copyOf(out);
  }
}
