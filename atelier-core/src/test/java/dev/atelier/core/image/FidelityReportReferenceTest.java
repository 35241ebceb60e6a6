package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * {@link FidelityReport#compare} against a plain per-pixel reference (flag arrays, every window and
 * every pixel), the way it was computed before it became one pass: every field must be the same
 * number, bit for bit, while a side holds at most {@link Regions#DELTA_E_SAMPLE} pixels.
 */
class FidelityReportReferenceTest {

  @Test
  void driftOutsideGivesTheSameNumbersAsThePerPixelReference() {
    RgbImage before = MetricFixtures.texture(97, 61, 5);
    Mask mask = MetricFixtures.featheredDisc(97, 61, 40, 25, 12, 5);
    RgbImage after =
        Compositor.composite(
            MetricFixtures.perturbed(before, 3, 9), MetricFixtures.noise(97, 61, 4), mask);
    assertThat(FidelityReport.compare(before, after, mask))
        .isEqualTo(reference(before, after, mask));
  }

  @Test
  void aCompositedEditGivesTheSameNumbersAsThePerPixelReference() {
    RgbImage before = MetricFixtures.texture(80, 50, 2);
    Mask mask = MetricFixtures.featheredDisc(80, 50, 60, 20, 9, 4);
    RgbImage after = Compositor.composite(before, MetricFixtures.noise(80, 50, 3), mask);
    FidelityReport fast = FidelityReport.compare(before, after, mask);
    assertThat(fast).isEqualTo(reference(before, after, mask));
    assertThat(fast.ssimOutside()).isEqualTo(1.0);
  }

  @Test
  void noWindowClearOfTheRegionIsNaNAsBefore() {
    RgbImage before = MetricFixtures.texture(30, 30, 2);
    // A grid of single region pixels every 8 px: every 11x11 window holds one.
    float[] v = new float[30 * 30];
    for (int y = 0; y < 30; y += 8) {
      for (int x = 0; x < 30; x += 8) {
        v[y * 30 + x] = 1f;
      }
    }
    Mask mask = new Mask(30, 30, v);
    RgbImage after = Compositor.composite(before, MetricFixtures.noise(30, 30, 1), mask);
    FidelityReport fast = FidelityReport.compare(before, after, mask);
    assertThat(fast.ssimOutside()).isNaN();
    assertThat(fast).isEqualTo(reference(before, after, mask));
  }

  @Test
  void aLargeRegionIsMeasuredOnAGridCloseToTheExactMean() {
    int w = 900;
    int h = 700;
    RgbImage before = MetricFixtures.texture(w, h, 7);
    Mask mask = MetricFixtures.featheredDisc(w, h, 450, 350, 330, 20);
    RgbImage after = Compositor.composite(before, MetricFixtures.perturbed(before, 12, 3), mask);
    FidelityReport fast = FidelityReport.compare(before, after, mask);
    FidelityReport exact = reference(before, after, mask);
    assertThat(fast.regionFraction() * w * h).isGreaterThan(Regions.DELTA_E_SAMPLE);
    assertThat(fast.deltaE00Inside())
        .isCloseTo(exact.deltaE00Inside(), within(0.02 * exact.deltaE00Inside()));
    assertThat(fast.region()).isEqualTo(exact.region());
    assertThat(fast.changedOutside()).isEqualTo(exact.changedOutside());
    assertThat(fast.ssimOutside()).isEqualTo(exact.ssimOutside());
  }

  /**
   * The definitions computed naively: flag arrays, a summed-area erosion, every pixel's Delta E.
   */
  static FidelityReport reference(RgbImage before, RgbImage after, Mask region) {
    int w = before.width();
    int h = before.height();
    boolean[] inside = new boolean[w * h];
    boolean[] outside = new boolean[w * h];
    long in = 0;
    for (int p = 0; p < inside.length; p++) {
      inside[p] = region.values()[p] > 0f;
      outside[p] = !inside[p];
      in += inside[p] ? 1 : 0;
    }
    long counted = 0;
    long changed = 0;
    double[] sum = new double[2];
    long[] count = new long[2];
    for (int p = 0; p < inside.length; p++) {
      int ca = before.rgbAt(p % w, p / w);
      int cb = after.rgbAt(p % w, p / w);
      if (outside[p]) {
        counted++;
        changed += ca != cb ? 1 : 0;
      }
      int side = inside[p] ? 0 : 1;
      count[side]++;
      if (ca != cb) {
        sum[side] += Ciede2000.deltaE(ColorSpaces.srgbToLab(ca), ColorSpaces.srgbToLab(cb));
      }
    }
    boolean[] clear = new boolean[w * h];
    int r = Ssim.WINDOW / 2;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean ok = true;
        for (int yy = Math.max(0, y - r); ok && yy <= Math.min(h - 1, y + r); yy++) {
          for (int xx = Math.max(0, x - r); ok && xx <= Math.min(w - 1, x + r); xx++) {
            ok = !inside[yy * w + xx];
          }
        }
        clear[y * w + x] = ok;
      }
    }
    return new FidelityReport(
        Box.around(region, 0, w, h, 1),
        (double) in / inside.length,
        counted == 0 ? Double.NaN : (double) changed / counted,
        Psnr.of(before, after, outside),
        Ssim.mean(before, after, clear),
        count[1] == 0 ? Double.NaN : sum[1] / count[1],
        count[0] == 0 ? Double.NaN : sum[0] / count[0]);
  }
}
