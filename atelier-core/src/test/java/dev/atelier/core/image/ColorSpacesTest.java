package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ColorSpacesTest {

  @Test
  void linearisesWithTheSrgbTransferFunction() {
    assertThat(ColorSpaces.srgbToLinear(0)).isZero();
    assertThat(ColorSpaces.srgbToLinear(255)).isEqualTo(1.0);
    // 10 / 255 = 0.0392 lies on the linear segment: 0.0392157 / 12.92.
    assertThat(ColorSpaces.srgbToLinear(10)).isCloseTo(10 / 255.0 / 12.92, within(1e-15));
    // ((128 / 255 + 0.055) / 1.055)^2.4 = 0.2158605.
    assertThat(ColorSpaces.srgbToLinear(128)).isCloseTo(0.2158605, within(1e-7));
  }

  @Test
  void whiteIsTheReferenceAndGreysAreNeutral() {
    ColorSpaces.Lab white = ColorSpaces.srgbToLab(255, 255, 255);
    assertThat(white.l()).isCloseTo(100.0, within(1e-9));
    assertThat(white.a()).isCloseTo(0.0, within(1e-9));
    assertThat(white.b()).isCloseTo(0.0, within(1e-9));
    ColorSpaces.Lab black = ColorSpaces.srgbToLab(0, 0, 0);
    assertThat(black.l()).isZero();
    for (int v = 1; v < 255; v += 17) {
      ColorSpaces.Lab grey = ColorSpaces.srgbToLab(v, v, v);
      assertThat(grey.a()).as("a* of grey %d", v).isCloseTo(0.0, within(1e-9));
      assertThat(grey.b()).as("b* of grey %d", v).isCloseTo(0.0, within(1e-9));
    }
    // Mid grey 119 is the textbook L* = 50 point: linear 0.1845, L* = 116 * 0.1845^(1/3) - 16.
    assertThat(ColorSpaces.srgbToLab(119, 119, 119).l()).isCloseTo(50.0, within(0.1));
  }

  @Test
  void primariesMatchPublishedLabValues() {
    // Widely tabulated sRGB primaries in D65 CIELAB; the white point here differs from the
    // rounded D65 one in the fifth digit, which moves these by under 0.05.
    ColorSpaces.Lab red = ColorSpaces.srgbToLab(0xff0000);
    assertThat(red.l()).isCloseTo(53.24, within(0.05));
    assertThat(red.a()).isCloseTo(80.09, within(0.05));
    assertThat(red.b()).isCloseTo(67.20, within(0.05));
    ColorSpaces.Lab green = ColorSpaces.srgbToLab(0, 255, 0);
    assertThat(green.l()).isCloseTo(87.73, within(0.05));
    assertThat(green.a()).isCloseTo(-86.18, within(0.05));
    assertThat(green.b()).isCloseTo(83.18, within(0.05));
    ColorSpaces.Lab blue = ColorSpaces.srgbToLab(0, 0, 255);
    assertThat(blue.l()).isCloseTo(32.30, within(0.05));
    assertThat(blue.a()).isCloseTo(79.19, within(0.05));
    assertThat(blue.b()).isCloseTo(-107.86, within(0.05));
  }

  @Test
  void xyzOfWhiteIsTheMatrixRowSums() {
    double[] xyz = ColorSpaces.linearToXyz(1, 1, 1);
    assertThat(xyz[0]).isCloseTo(ColorSpaces.WHITE_X, within(1e-15));
    assertThat(xyz[1]).isCloseTo(1.0, within(1e-15));
    assertThat(xyz[2]).isCloseTo(ColorSpaces.WHITE_Z, within(1e-15));
  }

  @Test
  void refusesValuesOutsideEightBits() {
    assertThatThrownBy(() -> ColorSpaces.srgbToLinear(256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sRGB value must be in 0..255 but was 256");
    assertThatThrownBy(() -> ColorSpaces.srgbToLab(0, -1, 0))
        .hasMessage("sRGB value must be in 0..255 but was -1");
  }

  @Test
  void labRefusesNonFiniteComponents() {
    assertThatThrownBy(() -> new ColorSpaces.Lab(50, Double.NaN, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("L*, a* and b* must be finite but were 50.0, NaN, 0.0");
  }
}
