package dev.atelier.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.Box;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local editor's region rules and its guarantee, with in-memory engine and grounder. */
class LocalEditorTest {

  /** Paints every pixel of the inpainting mask white and records the prompts it was given. */
  static final class PaintingEngine implements Engine {
    final List<EditRequest> edits = new ArrayList<>();

    @Override
    public String name() {
      return "painting";
    }

    @Override
    public List<GeneratedImage> generate(
        GenerationRequest r, ProgressListener p, CancellationToken c) {
      throw new AssertionError("LocalEditor must only call edit, never generate");
    }

    @Override
    public List<GeneratedImage> edit(EditRequest r, ProgressListener p, CancellationToken c) {
      edits.add(r);
      byte[] rgb = r.image().rgb().clone();
      if (r.mode() instanceof EditMode.Inpaint(var mask)) {
        for (int i = 0; i < mask.values().length; i++) {
          if (mask.values()[i] > 0) {
            rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = (byte) 255;
          }
        }
      }
      return List.of(
          new GeneratedImage(
              new RgbImage(r.image().width(), r.image().height(), rgb), 1, Map.of()));
    }

    @Override
    public void close() {}
  }

  /** The "desk" is the middle 32x16 block of a 64x64 image. */
  static final Grounder DESK =
      (image, q) -> {
        float[] v = new float[64 * 64];
        for (int y = 24; y < 40; y++) {
          for (int x = 16; x < 48; x++) {
            v[y * 64 + x] = 1f;
          }
        }
        Mask m = new Mask(64, 64, v);
        return new Region(m, m, 0.9, new Box(16, 24, 32, 16));
      };

  static RgbImage grey() {
    byte[] rgb = new byte[64 * 64 * 3];
    java.util.Arrays.fill(rgb, (byte) 100);
    return new RgbImage(64, 64, rgb);
  }

  static LocalEditor.Options options() {
    return new LocalEditor.Options(64, 4, 0.6, 0, 0, 0.4);
  }

  @Test
  void anAdditionWithASideGoesToThatPartOfThePlace() {
    PaintingEngine engine = new PaintingEngine();
    LocalEditor editor = new LocalEditor(engine, new EditPlanner(), DESK);
    LocalEditor.Outcome out =
        editor.edit(grey(), "在桌面右侧添加一个白色马克杯", null, SamplingParams.builder().build(), options());
    assertThat(out.plan().operation()).isEqualTo(EditPlan.Operation.ADD);
    RgbImage result = out.images().get(0).image();
    assertThat(result.rgbAt(40, 30)).isEqualTo(0xffffff);
    assertThat(result.rgbAt(20, 30)).as("left part of the desk untouched").isEqualTo(0x646464);
    assertThat(result.rgbAt(5, 5)).isEqualTo(0x646464);
  }

  @Test
  void removalsPaintTheSurroundingsAndAvoidTheObject() {
    PaintingEngine engine = new PaintingEngine();
    new LocalEditor(engine, new EditPlanner(), DESK)
        .edit(grey(), "remove the desk", null, SamplingParams.builder().build(), options());
    assertThat(engine.edits.get(0).prompt()).contains("background");
    assertThat(engine.edits.get(0).sampling().negativePrompt()).contains("desk");
  }

  @Test
  void withoutAGroundingModelLocalEditsAskForAMask() {
    LocalEditor editor =
        new LocalEditor(new PaintingEngine(), new EditPlanner(), LocalEditor.NO_GROUNDER);
    assertThatThrownBy(
            () ->
                editor.edit(
                    grey(),
                    "change the sofa to green",
                    null,
                    SamplingParams.builder().build(),
                    options()))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessageContaining("needs a grounding model")
        .hasMessageContaining("or a mask");
  }

  @Test
  void globalInstructionsReRenderTheWholeImage() {
    PaintingEngine engine = new PaintingEngine();
    LocalEditor.Outcome out =
        new LocalEditor(engine, new EditPlanner(), LocalEditor.NO_GROUNDER)
            .edit(
                grey(),
                "make it a watercolor painting",
                null,
                SamplingParams.builder().build(),
                options());
    assertThat(out.plan().scope()).isEqualTo(EditPlan.Scope.GLOBAL);
    assertThat(engine.edits.get(0).mode()).isInstanceOf(EditMode.ImageToImage.class);
  }

  @Test
  void theCropIsWorkedAtMultiplesOf64AsStableDiffusionsUNetNeeds() {
    // A 400x384 box at 512 was 512x488 (61 latent rows), which SD 1.5's UNet cannot join.
    assertThat(LocalEditor.workingSize(new Box(368, 268, 400, 384), 512)).containsExactly(512, 512);
    assertThat(LocalEditor.workingSize(new Box(0, 0, 400, 240), 512)).containsExactly(512, 320);
    assertThat(LocalEditor.workingSize(new Box(0, 0, 10, 400), 512)).containsExactly(64, 512);
    assertThat(LocalEditor.workingSize(new Box(0, 0, 32, 16), 64)).containsExactly(64, 64);
  }
}
