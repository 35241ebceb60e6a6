package dev.atelier.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.image.RgbImage;
import org.junit.jupiter.api.Test;

/** Palette mapping: the output's colour clusters moved onto the reference's, by weight. */
class PaletteMappingTest {
  /** Horizontal bands of the given colours, equal heights. */
  static RgbImage bands(int w, int h, int... colours) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      int c = colours[Math.min(colours.length - 1, y * colours.length / h)];
      for (int x = 0; x < w; x++) {
        int p = (y * w + x) * 3;
        rgb[p] = (byte) (c >> 16);
        rgb[p + 1] = (byte) (c >> 8);
        rgb[p + 2] = (byte) c;
      }
    }
    return new RgbImage(w, h, rgb);
  }

  @Test
  void atWeightOneTheOutputTakesTheReferencesColoursInLightnessOrder() {
    RgbImage out = bands(30, 30, 0x202020, 0x808080, 0xE0E0E0);
    RgbImage reference = bands(30, 30, 0xE07A2F, 0x2A7F7A, 0xF2E6C9);
    Palette ref = Palette.of(reference);
    RgbImage mapped = PaletteMapping.apply(out, ref, 1.0);
    // Dark grey -> teal (darkest), middle grey -> orange, light grey -> cream.
    assertThat(near(mapped.rgbAt(5, 2), 0x2A7F7A)).isTrue();
    assertThat(near(mapped.rgbAt(5, 15), 0xE07A2F)).isTrue();
    assertThat(near(mapped.rgbAt(5, 28), 0xF2E6C9)).isTrue();
    assertThat(Palette.of(mapped).distanceTo(ref)).isLessThan(1.0);
    assertThat(Palette.of(out).distanceTo(ref)).isGreaterThan(20.0);
  }

  @Test
  void weightZeroChangesNothingAndHalfMovesHalfway() {
    RgbImage out = bands(20, 20, 0x404040, 0xC0C0C0);
    Palette ref = Palette.of(bands(20, 20, 0x0000FF, 0xFFFF00));
    assertThat(PaletteMapping.apply(out, ref, 0)).isSameAs(out);
    double full = Palette.of(PaletteMapping.apply(out, ref, 1)).distanceTo(ref);
    double half = Palette.of(PaletteMapping.apply(out, ref, 0.5)).distanceTo(ref);
    double none = Palette.of(out).distanceTo(ref);
    assertThat(full).isLessThan(half);
    assertThat(half).isLessThan(none);
    assertThatThrownBy(() -> PaletteMapping.apply(out, ref, 1.5))
        .hasMessage("weight must be in [0, 1] but was 1.5");
  }

  private static boolean near(int a, int b) {
    for (int shift = 0; shift <= 16; shift += 8) {
      if (Math.abs(((a >> shift) & 255) - ((b >> shift) & 255)) > 3) {
        return false;
      }
    }
    return true;
  }
}
