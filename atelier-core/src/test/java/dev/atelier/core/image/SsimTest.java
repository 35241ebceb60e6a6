package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link Ssim} against closed forms and against {@link #referenceSsim}, a direct
 * transcription of Wang et al.'s definition written independently of the production code.
 */
class SsimTest {

  private static final double C1 = Math.pow(0.01 * 255, 2);
  private static final double C2 = Math.pow(0.03 * 255, 2);

  @Test
  void identicalImagesScoreExactlyOne() {
    RgbImage image = MetricFixtures.texture(40, 30, 1);
    assertThat(Ssim.mean(image, image)).isEqualTo(1.0);
    assertThat(Ssim.mean(image, new RgbImage(40, 30, image.rgb().clone()))).isEqualTo(1.0);
  }

  @Test
  void flatImagesWithAnOffsetGiveTheAnalyticLuminanceTerm() {
    // Flat v and v + c: every window has zero variance and covariance, so the contrast-structure
    // factor is C2 / C2 = 1 and SSIM = (2 v (v + c) + C1) / (v^2 + (v + c)^2 + C1) everywhere.
    for (int[] vc : new int[][] {{100, 20}, {0, 255}, {200, -50}, {30, 1}}) {
      int v = vc[0];
      int c = vc[1];
      double expected = (2.0 * v * (v + c) + C1) / ((double) v * v + (v + c) * (v + c) + C1);
      double actual = Ssim.mean(MetricFixtures.flat(16, 12, v), MetricFixtures.flat(16, 12, v + c));
      assertThat(actual).as("v=%d c=%d", v, c).isCloseTo(expected, within(1e-12));
    }
  }

  @Test
  void matchesTheDirectDefinitionOnTexturedImages() {
    for (int[] size : new int[][] {{11, 11}, {23, 17}, {40, 32}, {12, 50}}) {
      RgbImage a = MetricFixtures.texture(size[0], size[1], size[0]);
      RgbImage b = MetricFixtures.perturbed(a, 25, size[1]);
      double expected = referenceSsim(a, b, null);
      assertThat(Ssim.mean(a, b)).as("%dx%d", size[0], size[1]).isCloseTo(expected, within(1e-10));
      assertThat(expected).isBetween(0.0, 0.99);
    }
  }

  @Test
  void matchesTheDirectDefinitionOnUnrelatedNoise() {
    RgbImage a = MetricFixtures.noise(30, 25, 7);
    RgbImage b = MetricFixtures.noise(30, 25, 8);
    double expected = referenceSsim(a, b, null);
    assertThat(Ssim.mean(a, b)).isCloseTo(expected, within(1e-10));
    assertThat(expected).isLessThan(0.1);
  }

  @Test
  void regionRestrictsTheWindowCentresCounted() {
    RgbImage a = MetricFixtures.texture(36, 28, 3);
    RgbImage b = MetricFixtures.perturbed(a, 40, 4);
    Random random = new Random(5);
    boolean[] region = new boolean[36 * 28];
    for (int i = 0; i < region.length; i++) {
      region[i] = random.nextInt(3) == 0;
    }
    assertThat(Ssim.mean(a, b, region)).isCloseTo(referenceSsim(a, b, region), within(1e-10));
  }

  @Test
  void windowsClearOfAnEditStillScoreOne() {
    RgbImage a = MetricFixtures.texture(48, 48, 9);
    byte[] edited = a.rgb().clone();
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        edited[(y * 48 + x) * 3] ^= 0x55;
      }
    }
    RgbImage b = new RgbImage(48, 48, edited);
    boolean[] far = new boolean[48 * 48];
    boolean[] near = new boolean[48 * 48];
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 48; x++) {
        // A window centred at (x, y) reaches x - 5; it misses the edit when x >= 13 or y >= 13.
        far[y * 48 + x] = x >= 13 || y >= 13;
        near[y * 48 + x] = x < 13 && y < 13;
      }
    }
    assertThat(Ssim.mean(a, b, far)).isEqualTo(1.0);
    assertThat(Ssim.mean(a, b, near)).isLessThan(0.9);
    assertThat(Ssim.mean(a, b, new boolean[48 * 48])).isNaN();
  }

  @Test
  void isSymmetricAndPenalisesInversion() {
    RgbImage a = MetricFixtures.texture(32, 32, 11);
    RgbImage b = MetricFixtures.perturbed(a, 15, 12);
    assertThat(Ssim.mean(a, b)).isCloseTo(Ssim.mean(b, a), within(1e-12));
    // Inverting high-contrast noise negates every window's covariance: SSIM near -1.
    RgbImage noise = MetricFixtures.noise(32, 32, 13);
    byte[] inverted = noise.rgb().clone();
    for (int i = 0; i < inverted.length; i++) {
      inverted[i] = (byte) (255 - (inverted[i] & 0xff));
    }
    assertThat(Ssim.mean(noise, new RgbImage(32, 32, inverted))).isLessThan(-0.5);
  }

  @Test
  void lumaIsBt601() {
    RgbImage pixel = new RgbImage(1, 1, new byte[] {(byte) 200, 100, 50});
    assertThat(Ssim.luma(pixel)[0])
        .isCloseTo(0.299 * 200 + 0.587 * 100 + 0.114 * 50, within(1e-12));
  }

  @Test
  void refusesBadInput() {
    RgbImage small = MetricFixtures.flat(10, 20, 0);
    assertThatThrownBy(() -> Ssim.mean(small, small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SSIM needs images of at least 11x11 pixels but they are 10x20");
    RgbImage a = MetricFixtures.flat(12, 12, 0);
    assertThatThrownBy(() -> Ssim.mean(a, MetricFixtures.flat(12, 13, 0)))
        .hasMessage("images must be the same size but are 12x12 and 12x13");
    assertThatThrownBy(() -> Ssim.mean(a, a, new boolean[5]))
        .hasMessage("region must hold 12x12 = 144 flags but holds 5");
  }

  /**
   * SSIM straight from the paper: for each window centre that fits, the normalised 2-D Gaussian
   * weights, then the weighted mean, variances and covariance in centred form.
   */
  static double referenceSsim(RgbImage first, RgbImage second, boolean[] region) {
    int w = first.width();
    int h = first.height();
    double[][] weights = new double[11][11];
    double total = 0;
    for (int dy = -5; dy <= 5; dy++) {
      for (int dx = -5; dx <= 5; dx++) {
        weights[dy + 5][dx + 5] = Math.exp(-(dx * dx + dy * dy) / (2 * 1.5 * 1.5));
        total += weights[dy + 5][dx + 5];
      }
    }
    double sum = 0;
    int count = 0;
    for (int cy = 5; cy + 5 < h; cy++) {
      for (int cx = 5; cx + 5 < w; cx++) {
        if (region != null && !region[cy * w + cx]) {
          continue;
        }
        double mx = 0;
        double my = 0;
        for (int dy = -5; dy <= 5; dy++) {
          for (int dx = -5; dx <= 5; dx++) {
            double g = weights[dy + 5][dx + 5] / total;
            mx += g * y601(first, cx + dx, cy + dy);
            my += g * y601(second, cx + dx, cy + dy);
          }
        }
        double vx = 0;
        double vy = 0;
        double cov = 0;
        for (int dy = -5; dy <= 5; dy++) {
          for (int dx = -5; dx <= 5; dx++) {
            double g = weights[dy + 5][dx + 5] / total;
            double ex = y601(first, cx + dx, cy + dy) - mx;
            double ey = y601(second, cx + dx, cy + dy) - my;
            vx += g * ex * ex;
            vy += g * ey * ey;
            cov += g * ex * ey;
          }
        }
        sum += (2 * mx * my + C1) * (2 * cov + C2) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        count++;
      }
    }
    return sum / count;
  }

  private static double y601(RgbImage image, int x, int y) {
    int rgb = image.rgbAt(x, y);
    return 0.299 * (rgb >> 16 & 0xff) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
  }
}
