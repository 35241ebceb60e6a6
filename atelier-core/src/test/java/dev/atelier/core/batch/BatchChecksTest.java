package dev.atelier.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.image.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Near-duplicates in a batch of variations, by perceptual hash. */
class BatchChecksTest {

  @Test
  void findsThePairsThatAreNearDuplicates() {
    RgbImage dawn = BatchFixtures.dawn(256, 256);
    List<RgbImage> batch =
        List.of(
            dawn,
            BatchFixtures.stripes(256, 256),
            BatchFixtures.perturbed(dawn, 5, 7),
            BatchFixtures.noise(256, 256, 1),
            BatchFixtures.dawn(512, 512));
    assertThat(BatchChecks.nearDuplicates(batch))
        .containsExactly(
            new BatchChecks.IndexPair(0, 2),
            new BatchChecks.IndexPair(0, 4),
            new BatchChecks.IndexPair(2, 4));
  }

  @Test
  void distinctImagesAndSmallBatchesHaveNone() {
    assertThat(
            BatchChecks.nearDuplicates(
                List.of(BatchFixtures.dawn(128, 128), BatchFixtures.stripes(128, 128))))
        .isEmpty();
    assertThat(BatchChecks.nearDuplicates(List.of(BatchFixtures.dawn(64, 64)))).isEmpty();
    assertThat(BatchChecks.nearDuplicates(List.of())).isEmpty();
  }

  @Test
  void hashesAtTheThresholdCountAndOneMoreBitDoesNot() {
    PerceptualHash a = new PerceptualHash(0);
    PerceptualHash six = new PerceptualHash(0b111111);
    PerceptualHash seven = new PerceptualHash(0b1111111);
    assertThat(BatchChecks.nearDuplicatesOfHashes(List.of(a, six, seven)))
        .containsExactly(new BatchChecks.IndexPair(0, 1), new BatchChecks.IndexPair(1, 2));
  }

  @Test
  void indexPairsAreOrdered() {
    assertThatThrownBy(() -> new BatchChecks.IndexPair(2, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an index pair needs 0 <= first < second but was (2, 2)");
  }
}
