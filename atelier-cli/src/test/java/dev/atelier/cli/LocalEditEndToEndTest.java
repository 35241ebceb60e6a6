package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.GeneratedImage;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import dev.atelier.engine.onnx.grounding.ClipSegGrounder;
import dev.atelier.engine.onnx.model.OrtSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Plain-words local editing on the real tiny models: the planner, CLIPSeg grounding, the 9-channel
 * inpainting pipeline and the compositor together leave every pixel outside the region identical.
 */
class LocalEditEndToEndTest {
  static final Path FIXTURES = AtelierCommandTest.FIXTURES;

  @Test
  void aGroundedEditLeavesEveryPixelOutsideTheRegionIdentical() throws Exception {
    RgbImage input =
        ImageCodec.decode(
            Files.readAllBytes(FIXTURES.resolve("goldens/init.png")), ImageLimits.DEFAULT);
    try (OnnxEngine engine =
            OnnxEngine.load(FIXTURES.resolve("models/tiny-sd-inpaint"), OrtSettings.cpu());
        ClipSegGrounder grounder =
            ClipSegGrounder.load(FIXTURES.resolve("models/tiny-clipseg"), OrtSettings.cpu())) {
      LocalEditor editor = new LocalEditor(engine, new EditPlanner(), grounder);
      // The tiny CLIPSeg has random weights: a high threshold and small radii keep the region a
      // few blobs instead of the whole 64x64 image.
      LocalEditor.Options options = new LocalEditor.Options(64, 4, 0.6, 1, 1, 0.9999);
      LocalEditor.Outcome out =
          editor.edit(
              input,
              "change the red box to a green box, keep everything else unchanged",
              null,
              SamplingParams.builder().steps(3).seed(11).build(),
              options);
      Mask region = out.region();
      GeneratedImage result = out.images().get(0);
      int outside = 0;
      int changedInside = 0;
      for (int y = 0; y < input.height(); y++) {
        for (int x = 0; x < input.width(); x++) {
          float m = region.values()[y * input.width() + x];
          if (m == 0f) {
            outside++;
            assertThat(result.image().rgbAt(x, y))
                .as("pixel %d,%d", x, y)
                .isEqualTo(input.rgbAt(x, y));
          } else if (result.image().rgbAt(x, y) != input.rgbAt(x, y)) {
            changedInside++;
          }
        }
      }
      assertThat(outside)
          .as("pixels outside the region")
          .isGreaterThan(input.width() * input.height() / 4);
      assertThat(changedInside).as("pixels changed inside the region").isPositive();
      assertThat(out.reports().get(0).changedOutside()).isZero();
      assertThat(out.plan().target().en()).isEqualTo("red box");
    }
  }

  @Test
  void fiveRoundsOnDisjointRegionsKeepNeverEditedPixelsIdenticalToRoundZero() throws Exception {
    RgbImage round0 =
        ImageCodec.decode(
            Files.readAllBytes(FIXTURES.resolve("goldens/init.png")), ImageLimits.DEFAULT);
    try (OnnxEngine engine =
        OnnxEngine.load(FIXTURES.resolve("models/tiny-sd-inpaint"), OrtSettings.cpu())) {
      LocalEditor editor = new LocalEditor(engine, new EditPlanner(), LocalEditor.NO_GROUNDER);
      LocalEditor.Options options = new LocalEditor.Options(64, 4, 0.6, 0, 0, 0.4);
      String[] instructions = {
        "change the sofa to green",
        "make the cup red",
        "将墙面改为米白色",
        "replace the table with marble",
        "make the lamp brass"
      };
      RgbImage current = round0;
      boolean[] edited = new boolean[64 * 64];
      for (int round = 0; round < 5; round++) {
        // Strip `round` of five 8-pixel-wide strips; x >= 40 is never edited.
        float[] v = new float[64 * 64];
        for (int y = 0; y < 64; y++) {
          for (int x = round * 8; x < round * 8 + 8; x++) {
            v[y * 64 + x] = 1f;
            edited[y * 64 + x] = true;
          }
        }
        LocalEditor.Outcome out =
            editor.edit(
                current,
                instructions[round],
                new Mask(64, 64, v),
                SamplingParams.builder().steps(2).seed(round).build(),
                options);
        current = out.images().get(0).image();
        assertThat(out.reports().get(0).changedOutside()).isZero();
      }
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          if (!edited[y * 64 + x]) {
            assertThat(current.rgbAt(x, y))
                .as("never-edited pixel %d,%d", x, y)
                .isEqualTo(round0.rgbAt(x, y));
          }
        }
      }
    }
  }
}
