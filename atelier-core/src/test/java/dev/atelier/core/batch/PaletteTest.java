package dev.atelier.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.image.ColorSpaces;
import dev.atelier.core.image.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dominant colours by deterministic k-means, and the Lab histogram beside them. */
class PaletteTest {

  @Test
  void aFlatImageHasOneSwatch() {
    Palette p = Palette.of(BatchFixtures.flat(100, 50, 255, 255, 255));
    assertThat(p.swatches()).hasSize(1);
    assertThat(p.swatches().get(0).share()).isEqualTo(1.0);
    assertThat(p.swatches().get(0).lab().l()).isCloseTo(100, within(1e-9));
  }

  @Test
  void twoColoursGiveTwoSwatchesWithTheirShares() {
    byte[] rgb = new byte[40 * 40 * 3];
    for (int p = 0; p < 40 * 40; p++) {
      boolean red = p % 40 < 10;
      rgb[p * 3] = (byte) (red ? 220 : 20);
      rgb[p * 3 + 1] = (byte) (red ? 30 : 60);
      rgb[p * 3 + 2] = (byte) (red ? 30 : 200);
    }
    Palette p = Palette.of(new RgbImage(40, 40, rgb));
    assertThat(p.swatches()).extracting(Palette.Swatch::share).containsExactly(0.75, 0.25);
    ColorSpaces.Lab blue = ColorSpaces.srgbToLab(20, 60, 200);
    assertThat(p.swatches().get(0).lab().b()).isCloseTo(blue.b(), within(1e-9));
  }

  @Test
  void largeImagesAreSampledAndKeepAtMostFiveColours() {
    Palette p = Palette.of(BatchFixtures.dawn(1000, 700));
    assertThat(p.swatches()).hasSizeLessThanOrEqualTo(Palette.K);
    assertThat(p.swatches().stream().mapToDouble(Palette.Swatch::share).sum())
        .isCloseTo(1, within(1e-9));
    assertThat(Palette.sample(BatchFixtures.dawn(1000, 700))).hasNumberOfRows(64 * 45);
    assertThat(Palette.sample(BatchFixtures.dawn(10, 7))).hasNumberOfRows(70);
  }

  @Test
  void distanceIsSymmetricAndZeroForItself() {
    Palette a = Palette.of(BatchFixtures.dawn(64, 64));
    Palette b = Palette.of(BatchFixtures.stripes(64, 64));
    assertThat(a.distanceTo(a)).isZero();
    assertThat(a.distanceTo(b)).isEqualTo(b.distanceTo(a)).isPositive();
  }

  @Test
  void histogramWeightsSumToOneAndDistanceIsOneMinusIntersection() {
    LabHistogram white = LabHistogram.of(BatchFixtures.flat(8, 8, 255, 255, 255));
    assertThat(white.weights()).hasSize(144);
    assertThat(java.util.Arrays.stream(white.weights()).sum()).isCloseTo(1, within(1e-12));
    byte[] rgb = new byte[4 * 1 * 3];
    java.util.Arrays.fill(rgb, 0, 6, (byte) 255);
    LabHistogram half = LabHistogram.of(new RgbImage(4, 1, rgb));
    assertThat(white.distanceTo(half)).isCloseTo(0.5, within(1e-12));
    assertThat(half.distanceTo(white)).isCloseTo(0.5, within(1e-12));
    assertThat(white.distanceTo(white)).isZero();
  }

  @Test
  void swatchesAndPalettesValidate() {
    assertThatThrownBy(() -> new Palette.Swatch(new ColorSpaces.Lab(50, 0, 0), 0))
        .hasMessage("share must be in (0, 1] but was 0.0");
    assertThatThrownBy(() -> new Palette(List.of()))
        .hasMessage("a palette must have at least one swatch but had none");
  }
}
