package dev.atelier.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.RgbImage;
import org.junit.jupiter.api.Test;

/** pHash: stable under the changes a re-encode or resize makes, far apart for other pictures. */
class PerceptualHashTest {
  private static final RgbImage DAWN = BatchFixtures.dawn(256, 256);

  @Test
  void identicalImagesHashTheSame() {
    assertThat(PerceptualHash.distance(DAWN, BatchFixtures.dawn(256, 256))).isZero();
    assertThat(PerceptualHash.of(DAWN)).isEqualTo(PerceptualHash.of(DAWN));
  }

  @Test
  void slightNoiseAndBrightnessMoveFewBits() {
    PerceptualHash h = PerceptualHash.of(DAWN);
    assertThat(PerceptualHash.distance(h, PerceptualHash.of(BatchFixtures.perturbed(DAWN, 6, 1))))
        .isLessThanOrEqualTo(2);
    assertThat(PerceptualHash.distance(h, PerceptualHash.of(BatchFixtures.brighter(DAWN, 12))))
        .isLessThanOrEqualTo(2);
    assertThat(h.isNearDuplicateOf(PerceptualHash.of(BatchFixtures.brighter(DAWN, -20)))).isTrue();
  }

  @Test
  void theSameSceneAtAnotherSizeIsANearDuplicate() {
    RgbImage large = BatchFixtures.dawn(1024, 768);
    RgbImage shrunk = Compositor.resizeBicubic(DAWN, 96, 96);
    assertThat(PerceptualHash.distance(DAWN, large))
        .isLessThanOrEqualTo(PerceptualHash.NEAR_DUPLICATE_MAX_DISTANCE);
    assertThat(PerceptualHash.distance(DAWN, shrunk)).isLessThanOrEqualTo(2);
  }

  @Test
  void differentPicturesAreFarApart() {
    assertThat(PerceptualHash.distance(DAWN, BatchFixtures.stripes(256, 256))).isGreaterThan(20);
    assertThat(
            PerceptualHash.distance(
                BatchFixtures.noise(128, 128, 1), BatchFixtures.noise(128, 128, 2)))
        .isGreaterThan(16);
    assertThat(
            PerceptualHash.of(DAWN)
                .isNearDuplicateOf(PerceptualHash.of(BatchFixtures.noise(256, 256, 3))))
        .isFalse();
  }

  @Test
  void flatImagesHashToTheDcBitWhateverTheirColour() {
    PerceptualHash red = PerceptualHash.of(BatchFixtures.flat(64, 64, 220, 20, 20));
    PerceptualHash blue = PerceptualHash.of(BatchFixtures.flat(40, 30, 20, 20, 220));
    assertThat(red.bits()).isEqualTo(1L << 63);
    assertThat(blue).isEqualTo(red);
  }

  @Test
  void tinyImagesAreHashedToo() {
    RgbImage one = BatchFixtures.flat(1, 1, 10, 200, 30);
    assertThat(PerceptualHash.of(one).bits()).isEqualTo(1L << 63);
  }

  @Test
  void hexRoundTripsAndRejectsOtherText() {
    PerceptualHash h = PerceptualHash.of(DAWN);
    assertThat(h.toHex()).hasSize(16).matches("[0-9a-f]{16}");
    assertThat(PerceptualHash.fromHex(h.toHex())).isEqualTo(h);
    assertThat(PerceptualHash.fromHex("8000000000000000").bits()).isEqualTo(Long.MIN_VALUE);
    assertThatThrownBy(() -> PerceptualHash.fromHex("xyz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hash must be 16 hex digits but was 'xyz'");
  }

  @Test
  void distanceCountsDifferingBits() {
    assertThat(PerceptualHash.distance(new PerceptualHash(0b1011), new PerceptualHash(0b0001)))
        .isEqualTo(2);
    assertThat(PerceptualHash.distance(new PerceptualHash(0), new PerceptualHash(-1)))
        .isEqualTo(64);
  }
}
