package dev.atelier.engine.onnx.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.atelier.core.Reference;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.pipeline.ImagePrompt;
import dev.atelier.engine.onnx.pipeline.ImageTokens;
import dev.atelier.engine.onnx.testing.IpAdapterFolders;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IP-Adapter against an analytic export: preprocessing, projection, weights. */
class IpAdapterTest {
  @TempDir Path tmp;

  static RgbImage uniform(int w, int h, int r, int g, int b) {
    byte[] rgb = new byte[w * h * 3];
    for (int p = 0; p < w * h; p++) {
      rgb[p * 3] = (byte) r;
      rgb[p * 3 + 1] = (byte) g;
      rgb[p * 3 + 2] = (byte) b;
    }
    return new RgbImage(w, h, rgb);
  }

  static float[] clipEmbedding(int r, int g, int b) {
    int[] v = {r, g, b};
    float[] e = new float[3];
    for (int c = 0; c < 3; c++) {
      e[c] = (v[c] / 255f - IpAdapter.CLIP_MEAN[c]) / IpAdapter.CLIP_STD[c];
    }
    return e;
  }

  @Test
  void tokensAreTheProjectionOfTheClipNormalisedImage() throws IOException {
    Path folder = IpAdapterFolders.tinySdWithIpAdapter(tmp.resolve("m"));
    try (StableDiffusionModel m = StableDiffusionModel.load(folder, OrtSettings.cpu())) {
      IpAdapter a = m.ipAdapter().orElseThrow();
      assertThat(a.tokens()).isEqualTo(IpAdapterFolders.TOKENS);
      assertThat(a.hidden()).isEqualTo(32);
      assertThat(a.imageSide()).isEqualTo(IpAdapter.DEFAULT_SIDE);
      assertThat(a.embedWidth()).isEqualTo(3);
      // A non-square uniform image stays uniform through resize and crop.
      float[] got = a.tokensOf(uniform(300, 180, 200, 40, 60));
      float[] want = IpAdapterFolders.expectedTokens(clipEmbedding(200, 40, 60));
      assertThat(got).containsExactly(want, within(1e-5f));
      assertThat(a.unconditionalTokens()).containsExactly(IpAdapterFolders.BIAS, within(1e-7f));

      ImageTokens t =
          ImagePrompt.tokens(
              a,
              List.of(
                  new Reference(uniform(64, 64, 200, 40, 60), Reference.Role.SUBJECT, 0.5),
                  new Reference(uniform(64, 64, 10, 220, 30), Reference.Role.OBJECT, 1)));
      float[] second = IpAdapterFolders.expectedTokens(clipEmbedding(10, 220, 30));
      for (int k = 0; k < want.length; k++) {
        assertThat(t.cond()[k]).isCloseTo((0.5f * want[k] + second[k]) / 2, within(1e-5f));
        assertThat(t.uncond()[k]).isCloseTo(0.75f * IpAdapterFolders.BIAS[k], within(1e-6f));
      }
    }
  }

  @Test
  void preprocessingResizesTheShortSideAndCropsTheCentre() {
    // Left half black, right half white, 40x20: the 2:1 image resized to 8x4... crop keeps the
    // middle, where the edge is.
    RgbImage img = uniform(40, 20, 0, 0, 0);
    for (int y = 0; y < 20; y++) {
      for (int x = 20; x < 40; x++) {
        for (int c = 0; c < 3; c++) {
          img.rgb()[(y * 40 + x) * 3 + c] = (byte) 255;
        }
      }
    }
    float[] one = {1, 1, 1};
    float[] zero = {0, 0, 0};
    float[] px = IpAdapter.preprocess(img, 4, zero, one);
    assertThat(px).hasSize(3 * 16);
    // Columns 0 and 3 of the 4x4 crop are the middle of the dark and the light half.
    assertThat(px[0]).isLessThan(0.2f);
    assertThat(px[3]).isGreaterThan(0.8f);
  }
}
