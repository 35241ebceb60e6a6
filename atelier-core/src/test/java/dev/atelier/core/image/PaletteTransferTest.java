package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PaletteTransferTest {

  static RgbImage noise(long seed, int base, int spread) {
    Random r = new Random(seed);
    byte[] rgb = new byte[32 * 32 * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) Math.min(255, Math.max(0, base + r.nextInt(2 * spread + 1) - spread));
    }
    return new RgbImage(32, 32, rgb);
  }

  static RgbImage reddish() {
    Random r = new Random(7);
    byte[] rgb = new byte[32 * 32 * 3];
    for (int p = 0; p < 32 * 32; p++) {
      rgb[p * 3] = (byte) (190 + r.nextInt(30));
      rgb[p * 3 + 1] = (byte) (40 + r.nextInt(30));
      rgb[p * 3 + 2] = (byte) (40 + r.nextInt(30));
    }
    return new RgbImage(32, 32, rgb);
  }

  @Test
  void labToSrgbInvertsTheForwardChain() {
    for (int r = 0; r < 256; r += 5) {
      for (int g = 0; g < 256; g += 5) {
        for (int b = 0; b < 256; b += 5) {
          ColorSpaces.Lab lab = ColorSpaces.srgbToLab(r, g, b);
          assertThat(PaletteTransfer.labToSrgb(lab.l(), lab.a(), lab.b()))
              .isEqualTo(r << 16 | g << 8 | b);
        }
      }
    }
  }

  @Test
  void weightZeroReturnsTheImageItself() {
    RgbImage out = noise(1, 128, 60);
    assertThat(PaletteTransfer.apply(out, reddish(), 0)).isSameAs(out);
  }

  @Test
  void weightOneGivesTheReferenceStatistics() {
    RgbImage out = noise(1, 128, 40);
    RgbImage ref = reddish();
    PaletteTransfer.Stats target = PaletteTransfer.statistics(ref);
    PaletteTransfer.Stats got = PaletteTransfer.statistics(PaletteTransfer.apply(out, ref, 1));
    for (int c = 0; c < 3; c++) {
      assertThat(got.mean()[c]).as("mean %d", c).isCloseTo(target.mean()[c], within(1.0));
      assertThat(got.std()[c]).as("std %d", c).isCloseTo(target.std()[c], within(1.0));
    }
    double before = Ciede2000.deltaE(PaletteTransfer.statistics(out).meanLab(), target.meanLab());
    double after = Ciede2000.deltaE(got.meanLab(), target.meanLab());
    assertThat(after).isLessThan(1).isLessThan(before / 10);
  }

  @Test
  void halfWeightMovesTheMeanHalfWay() {
    RgbImage out = noise(2, 128, 30);
    RgbImage ref = reddish();
    double[] m0 = PaletteTransfer.statistics(out).mean();
    double[] mr = PaletteTransfer.statistics(ref).mean();
    double[] mh = PaletteTransfer.statistics(PaletteTransfer.apply(out, ref, 0.5)).mean();
    for (int c = 0; c < 3; c++) {
      assertThat(mh[c]).isCloseTo((m0[c] + mr[c]) / 2, within(1.0));
    }
  }

  @Test
  void averagingStatisticsIsChannelWise() {
    PaletteTransfer.Stats a =
        new PaletteTransfer.Stats(new double[] {10, 0, 4}, new double[] {1, 2, 3});
    PaletteTransfer.Stats b =
        new PaletteTransfer.Stats(new double[] {30, 10, -4}, new double[] {3, 2, 1});
    PaletteTransfer.Stats avg = PaletteTransfer.average(List.of(a, b));
    assertThat(avg.mean()).containsExactly(20, 5, 0);
    assertThat(avg.std()).containsExactly(2, 2, 2);
  }

  @Test
  void weightsOutsideZeroToOneAreRefused() {
    RgbImage out = noise(1, 128, 10);
    assertThatThrownBy(() -> PaletteTransfer.apply(out, out, 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must be in 0..1 but was 1.5");
  }
}
