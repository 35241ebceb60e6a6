package dev.atelier.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.image.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mean pairwise palette and histogram distances of a batch. */
class ConsistencyReportTest {
  private static final RgbImage DAWN = BatchFixtures.dawn(64, 64);

  @Test
  void identicalImagesScoreZero() {
    ConsistencyReport r = ConsistencyReport.of(List.of(DAWN, DAWN, BatchFixtures.dawn(64, 64)));
    assertThat(r.paletteCiede2000()).isZero();
    assertThat(r.labHistogramDistance()).isZero();
    assertThat(r.pairs()).isEqualTo(3);
    assertThat(r.images()).isEqualTo(3);
  }

  @Test
  void theSamePixelsInAnotherOrderHaveTheSamePalette() {
    ConsistencyReport r = ConsistencyReport.of(List.of(DAWN, BatchFixtures.shuffled(DAWN, 42)));
    assertThat(r.paletteCiede2000()).isCloseTo(0, within(1e-6));
    assertThat(r.labHistogramDistance()).isCloseTo(0, within(1e-9));
  }

  @Test
  void aLargerRenderOfTheSameSceneStaysClose() {
    ConsistencyReport r = ConsistencyReport.of(List.of(DAWN, BatchFixtures.dawn(512, 384)));
    assertThat(r.paletteCiede2000()).isLessThan(3);
    assertThat(r.labHistogramDistance()).isLessThan(0.15);
  }

  @Test
  void redAndBlueAreFarApart() {
    ConsistencyReport r =
        ConsistencyReport.of(
            List.of(
                BatchFixtures.flat(32, 32, 220, 30, 30), BatchFixtures.flat(48, 40, 30, 40, 220)));
    assertThat(r.paletteCiede2000()).isGreaterThan(40);
    assertThat(r.labHistogramDistance()).isEqualTo(1.0);
    assertThat(r.pairs()).isEqualTo(1);
  }

  @Test
  void aDifferentSceneScoresBetweenTheExtremes() {
    ConsistencyReport r = ConsistencyReport.of(List.of(DAWN, BatchFixtures.stripes(64, 64)));
    assertThat(r.paletteCiede2000()).isBetween(5.0, 40.0);
    assertThat(r.labHistogramDistance()).isGreaterThan(0.5);
  }

  @Test
  void fewerThanTwoImagesHaveNoPairs() {
    assertThat(ConsistencyReport.of(List.of())).isEqualTo(new ConsistencyReport(0, 0, 0, 0));
    assertThat(ConsistencyReport.of(List.of(DAWN))).isEqualTo(new ConsistencyReport(0, 0, 0, 1));
  }

  @Test
  void writesTheDocumentedJson() {
    assertThat(new ConsistencyReport(2.5, 0.125, 6, 4).toJson())
        .isEqualTo(
            "{\"palette_ciede2000\":2.5,\"lab_histogram_distance\":0.125,\"pairs\":6,"
                + "\"images\":4}");
    assertThat(ConsistencyReport.of(List.of(DAWN)).toJsonValue().members())
        .containsOnlyKeys("palette_ciede2000", "lab_histogram_distance", "pairs", "images");
  }

  @Test
  void rejectsInconsistentValues() {
    assertThatThrownBy(() -> new ConsistencyReport(1, 0.5, 2, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pairs must be images * (images - 1) / 2 = 3 for 3 images but was 2");
    assertThatThrownBy(() -> new ConsistencyReport(-1, 0, 0, 0))
        .hasMessage("paletteCiede2000 must be a finite number >= 0 but was -1.0");
    assertThatThrownBy(() -> new ConsistencyReport(0, 1.5, 0, 0))
        .hasMessage("labHistogramDistance must be in [0, 1] but was 1.5");
  }
}
