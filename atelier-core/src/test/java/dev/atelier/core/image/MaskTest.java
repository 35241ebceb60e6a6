package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MaskTest {

  @Test
  void convertsToGreyWithPillowsFixedPointLuma() {
    // (R * 19595 + G * 38470 + B * 7471 + 32768) >> 16, worked by hand:
    // red: 4996725 + 32768 = 5029493 -> 76; green: 9809850 + 32768 -> 150;
    // blue: 1905105 + 32768 = 1937873 -> 29; (200, 100, 50): 8139550 + 32768 -> 124.
    assertThat(Mask.luma(255, 0, 0)).isEqualTo(76);
    assertThat(Mask.luma(0, 255, 0)).isEqualTo(150);
    assertThat(Mask.luma(0, 0, 255)).isEqualTo(29);
    assertThat(Mask.luma(200, 100, 50)).isEqualTo(124);
    assertThat(Mask.luma(128, 128, 128)).isEqualTo(128);
    assertThat(Mask.luma(255, 255, 255)).isEqualTo(255);
    // 250 * 7471 + 32768 = 1900518 -> 28, where (299, 587, 114) / 1000 rounding would give 29.
    assertThat(Mask.luma(0, 0, 250)).isEqualTo(28);
  }

  @Test
  void whiteMeansEditInGreyMasks() {
    RgbImage image =
        new RgbImage(3, 1, new byte[] {(byte) 255, (byte) 255, (byte) 255, 0, 0, 0, 0, 0, 127});
    Mask mask = Mask.fromGray(image);
    assertThat(mask.values()).containsExactly(1f, 0f, 14f / 255f);

    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(1, 0, 0, 255);
    assertThat(Mask.fromGray(grey).values()).containsExactly(0f, 1f);
  }

  @Test
  void onlyFullyTransparentPixelsMeanEditInAlphaMasks() {
    BufferedImage argb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x00ffffff);
    argb.setRGB(1, 0, 0x01000000);
    argb.setRGB(2, 0, 0xff000000);
    assertThat(Mask.fromAlpha(argb).values()).containsExactly(1f, 0f, 0f);

    BufferedImage opaque = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    assertThatThrownBy(() -> Mask.fromAlpha(opaque))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "mask must have an alpha channel (transparent pixels mark the area to edit)"
                + " but the image has none");
  }

  @Test
  void binarizesAtTheThresholdInclusive() {
    Mask mask = new Mask(4, 1, new float[] {0f, 0.49999997f, 0.5f, 0.9f});
    assertThat(mask.binarized(Mask.DIFFUSERS_THRESHOLD).values()).containsExactly(0f, 0f, 1f, 1f);
    assertThatThrownBy(() -> mask.binarized(1.5f))
        .hasMessage("threshold must be in [0, 1] but was 1.5");
  }

  @Test
  void halvingKeepsEvenIndices() {
    Mask mask = ramp(64, 64);
    Mask half = mask.resizedNearest(32, 32);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        assertThat(half.values()[y * 32 + x]).isEqualTo(mask.values()[(2 * y) * 64 + 2 * x]);
      }
    }
  }

  @Test
  void shrinkingEightyToSixtyFourReadsFloorOfDstTimesOnePointTwoFive() {
    Mask mask = ramp(80, 1);
    Mask small = mask.resizedNearest(64, 1);
    int[] expected = IntStream.range(0, 64).map(d -> (int) Math.floor(d * 1.25)).toArray();
    assertThat(expected).startsWith(0, 1, 2, 3, 5, 6, 7, 8, 10);
    for (int d = 0; d < 64; d++) {
      assertThat(small.values()[d]).isEqualTo(mask.values()[expected[d]]);
    }
  }

  @Test
  void growingRepeatsSourcePixels() {
    Mask mask = new Mask(2, 1, new float[] {0f, 1f});
    assertThat(mask.resizedNearest(5, 2).values())
        .containsExactly(0f, 0f, 0f, 1f, 1f, 0f, 0f, 0f, 1f, 1f);
  }

  @Test
  void reportsEmptinessAndCoverage() {
    assertThat(new Mask(2, 1, new float[2]).isEmpty()).isTrue();
    Mask quarter = new Mask(2, 2, new float[] {1f, 0f, 0f, 0f});
    assertThat(quarter.isEmpty()).isFalse();
    assertThat(quarter.coverage()).isEqualTo(0.25);
    assertThat(quarter).hasToString("Mask[2x2, coverage=0.2500]");
    assertThat(quarter).isEqualTo(new Mask(2, 2, new float[] {1f, 0f, 0f, 0f}));
  }

  @Test
  void rejectsValuesOutsideTheUnitInterval() {
    assertThatThrownBy(() -> new Mask(2, 1, new float[] {0f, 1.5f}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("values[1] must be in [0, 1] but is 1.5");
    assertThatThrownBy(() -> new Mask(1, 1, new float[] {Float.NaN}))
        .hasMessage("values[0] must be in [0, 1] but is NaN");
    assertThatThrownBy(() -> new Mask(2, 2, new float[3]))
        .hasMessage("values must hold 2x2 = 4 floats but holds 3");
  }

  private static Mask ramp(int w, int h) {
    float[] v = new float[w * h];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) i / v.length;
    }
    return new Mask(w, h, v);
  }

  @Test
  void cropResizedNearestEqualsCropThenResize() {
    Mask mask = MetricFixtures.featheredDisc(40, 30, 20, 14, 6, 5);
    Box box = new Box(5, 3, 27, 22);
    for (int[] size : new int[][] {{8, 8}, {27, 22}, {64, 48}}) {
      assertThat(mask.cropResizedNearest(box, size[0], size[1]))
          .isEqualTo(mask.crop(box).resizedNearest(size[0], size[1]));
    }
  }
}
