package dev.atelier.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CompositorTest {

  @Test
  void zeroWeightCopiesOriginalAndFullWeightCopiesEditedExactly() {
    for (long seed = 0; seed < 20; seed++) {
      Random random = new Random(seed);
      int w = 1 + random.nextInt(40);
      int h = 1 + random.nextInt(40);
      RgbImage original = MetricFixtures.noise(w, h, seed * 2);
      RgbImage edited = MetricFixtures.noise(w, h, seed * 2 + 1);
      Mask mask = randomFeatheredMask(w, h, random);
      RgbImage out = Compositor.composite(original, edited, mask);

      int zeros = 0;
      for (int p = 0; p < w * h; p++) {
        float m = mask.values()[p];
        for (int c = 0; c < 3; c++) {
          int i = p * 3 + c;
          int o = original.rgb()[i] & 0xff;
          int e = edited.rgb()[i] & 0xff;
          int got = out.rgb()[i] & 0xff;
          if (m == 0f) {
            assertThat(out.rgb()[i]).as("seed %d pixel %d", seed, p).isEqualTo(original.rgb()[i]);
          } else if (m == 1f) {
            assertThat(out.rgb()[i]).as("seed %d pixel %d", seed, p).isEqualTo(edited.rgb()[i]);
          } else {
            assertThat(got).isEqualTo((int) Math.round(o * (1.0 - m) + e * (double) m));
            assertThat(got).isBetween(Math.min(o, e), Math.max(o, e));
          }
        }
        zeros += m == 0f ? 1 : 0;
      }
      assertThat(zeros).as("seed %d has unedited pixels to check", seed).isPositive();
    }
  }

  @Test
  void halfWeightRoundsHalvesUp() {
    RgbImage original = new RgbImage(1, 1, new byte[] {0, 10, (byte) 255});
    RgbImage edited = new RgbImage(1, 1, new byte[] {1, 13, (byte) 254});
    RgbImage out = Compositor.composite(original, edited, new Mask(1, 1, new float[] {0.5f}));
    assertThat(out.rgb()).containsExactly(1, 12, (byte) 255);
  }

  @Test
  void refusesMismatchedSizes() {
    RgbImage a = MetricFixtures.flat(4, 4, 0);
    assertThatThrownBy(
            () ->
                Compositor.composite(
                    a, MetricFixtures.flat(4, 5, 0), new Mask(4, 4, new float[16])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("images must be the same size but are 4x4 and 4x5");
    assertThatThrownBy(() -> Compositor.composite(a, a, new Mask(2, 8, new float[16])))
        .hasMessage("mask must be the images' size 4x4 but is 2x8");
  }

  @Test
  void cropThenPasteRestoresTheImage() {
    RgbImage image = MetricFixtures.noise(20, 15, 3);
    Box box = new Box(3, 4, 10, 6);
    RgbImage crop = Compositor.crop(image, box);
    assertThat(crop.width()).isEqualTo(10);
    assertThat(crop.height()).isEqualTo(6);
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 10; x++) {
        assertThat(crop.rgbAt(x, y)).isEqualTo(image.rgbAt(x + 3, y + 4));
      }
    }
    RgbImage blank = MetricFixtures.flat(20, 15, 0);
    RgbImage pasted = Compositor.paste(blank, crop, box);
    assertThat(pasted.rgbAt(3, 4)).isEqualTo(image.rgbAt(3, 4));
    assertThat(pasted.rgbAt(2, 4)).isZero();
    assertThat(Compositor.paste(image, crop, box)).isEqualTo(image);
    assertThat(blank.rgbAt(3, 4)).as("paste leaves its base alone").isZero();
  }

  @Test
  void cropAndPasteRefuseBoxesOutsideTheImage() {
    RgbImage image = MetricFixtures.flat(20, 15, 0);
    assertThatThrownBy(() -> Compositor.crop(image, new Box(15, 0, 6, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("box must lie inside the 20x15 image but spans x 15..20, y 0..1");
    assertThatThrownBy(
            () -> Compositor.paste(image, MetricFixtures.flat(2, 2, 0), new Box(0, 0, 3, 2)))
        .hasMessage("box must be the patch's size 2x2 but is 3x2");
  }

  @Test
  void resizingToTheSameSizeIsIdentity() {
    RgbImage image = MetricFixtures.noise(17, 9, 4);
    assertThat(Compositor.resizeBicubic(image, 17, 9)).isEqualTo(image);
  }

  @Test
  void resizingKeepsFlatImagesFlat() {
    RgbImage grey = MetricFixtures.flat(13, 7, 77);
    assertThat(Compositor.resizeBicubic(grey, 40, 3)).isEqualTo(MetricFixtures.flat(40, 3, 77));
    assertThat(Compositor.resizeBicubic(grey, 5, 21)).isEqualTo(MetricFixtures.flat(5, 21, 77));
  }

  @Test
  void upscalingReproducesALinearRampAwayFromTheEdges() {
    byte[] rgb = new byte[20 * 3];
    for (int x = 0; x < 20; x++) {
      rgb[x * 3] = (byte) (10 * x);
    }
    RgbImage up = Compositor.resizeBicubic(new RgbImage(20, 1, rgb), 40, 1);
    for (int d = 4; d < 36; d++) {
      // Output pixel d samples source coordinate (d + 0.5) / 2 - 0.5; cubic convolution with
      // a = -0.5 reproduces linear functions exactly where all four taps are inside.
      double expected = 10 * ((d + 0.5) / 2 - 0.5);
      assertThat(up.rgbAt(d, 0) >> 16).as("x=%d", d).isEqualTo((int) Math.round(expected));
    }
  }

  @Test
  void downscalingAveragesInsteadOfAliasing() {
    // A one-pixel checkerboard halved: point sampling would give all-black or all-white, the
    // stretched kernel gives mid grey.
    byte[] rgb = new byte[32 * 32 * 3];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        if ((x + y) % 2 == 0) {
          java.util.Arrays.fill(rgb, (y * 32 + x) * 3, (y * 32 + x) * 3 + 3, (byte) 255);
        }
      }
    }
    RgbImage half = Compositor.resizeBicubic(new RgbImage(32, 32, rgb), 16, 16);
    for (int y = 2; y < 14; y++) {
      for (int x = 2; x < 14; x++) {
        assertThat(half.rgbAt(x, y) & 0xff).isBetween(120, 135);
      }
    }
  }

  @Test
  void resizeRefusesEmptySizes() {
    assertThatThrownBy(() -> Compositor.resizeBicubic(MetricFixtures.flat(2, 2, 0), 0, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("width and height must be at least 1 but were 0x4");
  }

  /** Rectangles of 1, 0 background and random fractional values, often with hard edges. */
  private static Mask randomFeatheredMask(int w, int h, Random random) {
    float[] values = new float[w * h];
    int x0 = random.nextInt(w);
    int y0 = random.nextInt(h);
    int x1 = x0 + random.nextInt(w - x0) + 1;
    int y1 = y0 + random.nextInt(h - y0) + 1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int dx = Math.max(x0 - x, x - (x1 - 1));
        int dy = Math.max(y0 - y, y - (y1 - 1));
        int d = Math.max(dx, dy);
        float v = d <= 0 ? 1f : d <= 3 ? 1f - d / 4f : 0f;
        // Sprinkle arbitrary weights, including tiny and near-one floats.
        if (random.nextInt(10) == 0) {
          v = random.nextFloat();
        }
        values[y * w + x] = v;
      }
    }
    values[random.nextInt(values.length)] = 0f;
    return new Mask(w, h, values);
  }

  @Test
  void compositeInBoxEqualsCompositeOfThePastedCopy() {
    RgbImage original = MetricFixtures.texture(70, 50, 1);
    Mask mask = MetricFixtures.featheredDisc(70, 50, 30, 22, 9, 5);
    Box box = Box.around(mask, 3, 70, 50, 8);
    RgbImage patch = MetricFixtures.noise(box.width(), box.height(), 2);
    RgbImage expected =
        Compositor.composite(original, Compositor.paste(original, patch, box), mask);
    assertThat(Compositor.compositeInBox(original, patch, box, mask)).isEqualTo(expected);
    assertThatThrownBy(
            () ->
                Compositor.compositeInBox(
                    original, MetricFixtures.noise(4, 4, 1), new Box(0, 0, 5, 4), mask))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("box must be the patch's size 4x4 but is 5x4");
  }

  @Test
  void resizingABoxEqualsResizingItsCrop() {
    RgbImage image = MetricFixtures.texture(90, 60, 4);
    Box box = new Box(13, 7, 50, 41);
    for (int[] size : new int[][] {{16, 24}, {50, 41}, {120, 97}}) {
      assertThat(Compositor.resizeBicubic(image, box, size[0], size[1]))
          .isEqualTo(Compositor.resizeBicubic(Compositor.crop(image, box), size[0], size[1]));
    }
  }
}
