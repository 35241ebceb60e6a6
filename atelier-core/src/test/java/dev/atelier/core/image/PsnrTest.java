package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PsnrTest {

  @Test
  void identicalImagesAreInfinite() {
    RgbImage image = MetricFixtures.noise(9, 7, 1);
    assertThat(Psnr.of(image, image)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void offByOneEverywhereIsTenLogOfPeakSquared() {
    // MSE = 1, so PSNR = 10 log10(255^2) = 48.1308 dB.
    double psnr = Psnr.of(MetricFixtures.flat(4, 4, 10), MetricFixtures.flat(4, 4, 11));
    assertThat(psnr).isCloseTo(10 * Math.log10(65025), within(1e-12));
    assertThat(psnr).isCloseTo(48.1308, within(1e-4));
  }

  @Test
  void averagesOverAllThreeChannels() {
    RgbImage a = MetricFixtures.flat(2, 2, 100);
    byte[] rgb = a.rgb().clone();
    rgb[4] = 103; // one channel of one pixel off by 3: MSE = 9 / 12
    assertThat(Psnr.of(a, new RgbImage(2, 2, rgb)))
        .isCloseTo(10 * Math.log10(65025 / 0.75), within(1e-12));
  }

  @Test
  void regionIgnoresPixelsOutsideIt() {
    RgbImage a = MetricFixtures.flat(2, 2, 100);
    byte[] rgb = a.rgb().clone();
    rgb[0] = 0; // pixel 0 differs by 100 in red
    RgbImage b = new RgbImage(2, 2, rgb);
    assertThat(Psnr.of(a, b, new boolean[] {false, true, true, true}))
        .isEqualTo(Double.POSITIVE_INFINITY);
    // Only pixel 0 counted: MSE = 100^2 / 3.
    assertThat(Psnr.of(a, b, new boolean[] {true, false, false, false}))
        .isCloseTo(10 * Math.log10(65025 / (10000 / 3.0)), within(1e-12));
    assertThat(Psnr.of(a, b, new boolean[4])).isNaN();
  }

  @Test
  void refusesMismatchedInput() {
    RgbImage a = MetricFixtures.flat(2, 2, 0);
    assertThatThrownBy(() -> Psnr.of(a, MetricFixtures.flat(3, 2, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("images must be the same size but are 2x2 and 3x2");
    assertThatThrownBy(() -> Psnr.of(a, a, new boolean[3]))
        .hasMessage("region must hold 2x2 = 4 flags but holds 3");
  }
}
