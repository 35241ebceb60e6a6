package dev.atelier.engine.onnx.grounding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.grounding.internal.PilResize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pillow's bilinear resize on hand-checked pixels, and the preprocessor config. */
class ClipSegPreprocessorTest {

  /** One grey row: the same value in R, G and B. */
  private static byte[] grey(int... values) {
    byte[] out = new byte[values.length * 3];
    for (int i = 0; i < values.length; i++) {
      out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = (byte) values[i];
    }
    return out;
  }

  private static int[] red(byte[] rgb) {
    int[] out = new int[rgb.length / 3];
    for (int i = 0; i < out.length; i++) {
      out[i] = rgb[i * 3] & 0xff;
    }
    return out;
  }

  @Test
  void shrinkingAveragesEveryCoveredPixel() {
    // 4 -> 2: scale 2 widens the triangle to support 2. Output 0 centres on input 1.0 and weighs
    // inputs 0, 1, 2 by 0.75, 0.75, 0.25 (normalised /1.75): (0*3 + 100*3 + 200) / 7 = 71.4.
    // Output 1 weighs inputs 1, 2, 3 by 1, 3, 3 sevenths: (100 + 600 + 765) / 7 = 209.3.
    // A plain two-tap bilinear would give 50 and 228.
    assertThat(red(PilResize.bilinear(grey(0, 100, 200, 255), 4, 1, 2, 1)))
        .containsExactly(71, 209);
  }

  @Test
  void growingInterpolatesBetweenPixelCentres() {
    // 2 -> 4: centres at 0.25, 0.75, 1.25, 1.75 input pixels; edges clamp.
    assertThat(red(PilResize.bilinear(grey(0, 100), 2, 1, 4, 1))).containsExactly(0, 25, 75, 100);
  }

  @Test
  void eachPassRoundsToEightBits() {
    // [[0, 1], [0, 0]] -> 1x1: the horizontal pass gives 0.5 -> 1 and 0, the vertical pass
    // (1 + 0) / 2 = 0.5 -> 1, where the exact mean 0.25 would round to 0.
    byte[] in = new byte[12];
    in[3] = 1;
    assertThat(red(PilResize.bilinear(in, 2, 2, 1, 1))).containsExactly(1);
  }

  @Test
  void unchangedSizeIsACopy() {
    byte[] in = grey(5, 6, 7);
    byte[] out = PilResize.bilinear(in, 3, 1, 3, 1);
    assertThat(out).isEqualTo(in).isNotSameAs(in);
  }

  @Test
  void readsTheConfigAndNormalisesChannelsFirst(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("preprocessor_config.json");
    Files.writeString(
        f,
        """
        {"do_resize": true, "size": 2, "resample": 2, "rescale_factor": 0.00392156862745098,
         "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.25, 0.5]}
        """);
    ClipSegPreprocessor pre = ClipSegPreprocessor.read(f);
    assertThat(pre.width()).isEqualTo(2);
    assertThat(pre.height()).isEqualTo(2);
    byte[] rgb = new byte[4 * 4 * 3];
    Arrays.fill(rgb, (byte) 255);
    float[] px = pre.apply(new RgbImage(4, 4, rgb));
    // (1 - 0.5) / std per channel plane: R 1, G 2, B 1.
    assertThat(px).containsExactly(1f, 1f, 1f, 1f, 2f, 2f, 2f, 2f, 1f, 1f, 1f, 1f);
  }

  @Test
  void unsupportedResampleNamesTheFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("preprocessor_config.json");
    Files.writeString(
        f, "{\"size\": 4, \"resample\": 3, \"image_mean\": [0,0,0], " + "\"image_std\": [1,1,1]}");
    assertThatThrownBy(() -> ClipSegPreprocessor.read(f))
        .hasMessage(f + ": expected resample 2 (bilinear) but found 3");
  }
}
