package dev.atelier.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.batch.Palette;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.model.ModelTraits;
import dev.atelier.engine.onnx.model.OrtSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SDXL through the public engine API on the tiny SDXL fixtures: generation, batches and per-image
 * seeds, image-to-image, masked edits (9-channel SDXL inpainting and latent blending on the base),
 * references, and what the folders say about themselves ({@link ModelTraits}).
 */
class OnnxEngineSdxlTest {
  static final Path MODELS = OnnxEngineTest.FIXTURES.resolve("models");
  static OnnxEngine sdxl;

  @BeforeAll
  static void load() {
    sdxl = OnnxEngine.load(MODELS.resolve("tiny-sdxl"), OrtSettings.cpu());
  }

  @AfterAll
  static void close() {
    sdxl.close();
  }

  static SamplingParams.Builder sampling() {
    return SamplingParams.builder().steps(3).guidanceScale(5).seed(40);
  }

  static List<GeneratedImage> generate(OnnxEngine e, GenerationRequest r) {
    return e.generate(r, ProgressListener.NONE, CancellationToken.none());
  }

  static List<GeneratedImage> edit(OnnxEngine e, EditRequest r) {
    return e.edit(r, ProgressListener.NONE, CancellationToken.none());
  }

  static RgbImage fixture(String name) throws IOException {
    return ImageCodec.decode(
        Files.readAllBytes(OnnxEngineTest.FIXTURES.resolve("goldens/" + name)),
        ImageLimits.DEFAULT);
  }

  @Test
  void perImageSeedsRegenerateEachSdxlImageAlone() {
    List<GeneratedImage> batch =
        generate(
            sdxl, new GenerationRequest("a cup", new ImageSize(64, 64), sampling().n(3).build()));
    assertThat(batch).extracting(GeneratedImage::seed).containsExactly(40L, 41L, 42L);
    GeneratedImage alone =
        generate(
                sdxl,
                new GenerationRequest("a cup", new ImageSize(64, 64), sampling().seed(42).build()))
            .get(0);
    assertThat(alone.image()).isEqualTo(batch.get(2).image());
    assertThat(batch.get(0).image()).isNotEqualTo(batch.get(1).image());
    assertThat(alone.parameters())
        .containsEntry("family", "sdxl")
        .containsEntry("mode", "text-to-image")
        .containsEntry("seed", "42");
  }

  @Test
  void prompt2IsWhatTheSecondTowerReadsAndOnlySdxlTakesIt() {
    GenerationRequest plain =
        new GenerationRequest("a cup", new ImageSize(64, 64), sampling().build());
    GenerationRequest second =
        new GenerationRequest(
            "a cup", new ImageSize(64, 64), sampling().prompt2("a porcelain mug").build());
    GenerationRequest same =
        new GenerationRequest("a cup", new ImageSize(64, 64), sampling().prompt2("a cup").build());
    GeneratedImage a = generate(sdxl, plain).get(0);
    GeneratedImage b = generate(sdxl, second).get(0);
    assertThat(b.image()).isNotEqualTo(a.image());
    assertThat(b.parameters()).containsEntry("prompt_2", "a porcelain mug");
    assertThat(generate(sdxl, same).get(0).image())
        .as("prompt_2 equal to the prompt is diffusers' default")
        .isEqualTo(a.image());
    try (OnnxEngine sd = OnnxEngine.load(MODELS.resolve("tiny-sd"), OrtSettings.cpu())) {
      assertThatThrownBy(() -> generate(sd, second))
          .isInstanceOf(dev.atelier.core.AtelierException.InvalidRequest.class)
          .hasMessageContaining("is not SDXL")
          .satisfies(
              e ->
                  assertThat(((dev.atelier.core.AtelierException.InvalidRequest) e).param())
                      .isEqualTo("prompt_2"));
    }
  }

  @Test
  void aBatchOfTenRunsOnSdxl() {
    List<GeneratedImage> ten =
        generate(
            sdxl,
            new GenerationRequest(
                "a cup", new ImageSize(64, 64), sampling().n(10).steps(1).seed(7).build()));
    assertThat(ten).hasSize(10);
    assertThat(ten).extracting(GeneratedImage::seed).startsWith(7L, 8L).endsWith(16L);
    assertThat(ten.stream().map(g -> g.image()).distinct().count()).isEqualTo(10);
  }

  @Test
  void bucketSizesScaledToTheTinyModelRun() {
    // 1216x832 scaled to the tiny model's 64 px native side is 76x52, rounded to multiples of 8
    // (what an image side must be), halves up: 80x56.
    GeneratedImage wide =
        generate(
                sdxl,
                new GenerationRequest("a cup", new ImageSize(80, 56), sampling().steps(2).build()))
            .get(0);
    assertThat(wide.image().width()).isEqualTo(80);
    assertThat(wide.image().height()).isEqualTo(56);
  }

  @Test
  void sdxlTurboRunsOneStepWithoutGuidance() {
    try (OnnxEngine turbo = OnnxEngine.load(MODELS.resolve("tiny-sdxl-turbo"), OrtSettings.cpu())) {
      GeneratedImage one =
          generate(
                  turbo,
                  new GenerationRequest(
                      "a cup",
                      new ImageSize(64, 64),
                      SamplingParams.builder().steps(1).guidanceScale(0).seed(3).build()))
              .get(0);
      assertThat(one.parameters())
          .containsEntry("scheduler", "euler_a")
          .containsEntry("steps", "1")
          .containsEntry("guidance", "0.0");
      assertThat(turbo.model().traits())
          .isEqualTo(ModelTraits.of(MODELS.resolve("tiny-sdxl-turbo")));
    }
  }

  @Test
  void traitsSayFamilyNativeSideSizeMultipleAndFewStep() {
    assertThat(ModelTraits.of(MODELS.resolve("tiny-sdxl")))
        .isEqualTo(new ModelTraits(true, 64, 4, false))
        .isEqualTo(sdxl.model().traits());
    assertThat(ModelTraits.of(MODELS.resolve("tiny-sdxl-turbo")))
        .isEqualTo(new ModelTraits(true, 64, 4, true));
    assertThat(ModelTraits.of(MODELS.resolve("tiny-sdxl-inpaint")).sdxl()).isTrue();
    assertThat(ModelTraits.of(MODELS.resolve("tiny-sd")))
        .isEqualTo(new ModelTraits(false, 64, 4, false));
    // SD-Turbo's scheduler config (Euler, trailing) marks it a few-step model too.
    assertThat(ModelTraits.of(MODELS.resolve("tiny-sd21-turbo")).fewStep()).isTrue();
  }

  @Test
  void imageToImageRunsOnSdxlAndIsReproducible() throws IOException {
    RgbImage init = fixture("init.png");
    EditRequest r =
        new EditRequest(
            "a green box", init, new EditMode.ImageToImage(0.6), sampling().steps(5).build());
    GeneratedImage a = edit(sdxl, r).get(0);
    assertThat(a.parameters())
        .containsEntry("mode", "image-to-image")
        .containsEntry("strength", "0.6")
        .containsEntry("family", "sdxl");
    assertThat(a.image()).isNotEqualTo(init);
    assertThat(edit(sdxl, r).get(0).image()).isEqualTo(a.image());
  }

  @Test
  void maskedEditsUseTheNineChannelSdxlModelOrBlendOnTheBase() throws IOException {
    RgbImage init = fixture("init.png");
    Mask mask = Mask.fromGray(fixture("mask.png"));
    EditRequest r =
        new EditRequest(
            "a green box", init, new EditMode.Inpaint(mask), sampling().n(2).steps(3).build());
    List<GeneratedImage> blended = edit(sdxl, r);
    assertThat(blended).hasSize(2);
    assertThat(blended.get(0).parameters()).containsEntry("mode", "inpaint (blend)");
    try (OnnxEngine inpaint =
        OnnxEngine.load(MODELS.resolve("tiny-sdxl-inpaint"), OrtSettings.cpu())) {
      List<GeneratedImage> nine = edit(inpaint, r);
      assertThat(nine).hasSize(2);
      assertThat(nine.get(0).parameters())
          .containsEntry("mode", "inpaint")
          .containsEntry("family", "sdxl");
      assertThat(nine.get(0).image()).isNotEqualTo(blended.get(0).image());
      // Per-image seeds hold for masked edits too: image 1 regenerates alone from seed 41.
      GeneratedImage alone =
          edit(
                  inpaint,
                  new EditRequest(
                      "a green box",
                      init,
                      new EditMode.Inpaint(mask),
                      sampling().seed(41).steps(3).build()))
              .get(0);
      assertThat(alone.image()).isEqualTo(nine.get(1).image());
    }
  }

  @Test
  void subjectReferencesOnSdxlWithoutAnAdapterAreRefusedNamingReferences() {
    var subject = new Reference(new RgbImage(8, 8, new byte[8 * 8 * 3]), Reference.Role.SUBJECT, 1);
    GenerationRequest r =
        new GenerationRequest(
            "a cup", new ImageSize(64, 64), sampling().steps(1).build(), List.of(subject));
    assertThatThrownBy(() -> generate(sdxl, r))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessageStartingWith("subject references need an IP-Adapter export in the model folder")
        .hasMessageContaining("the SDXL model tiny-sdxl has none")
        .hasMessageContaining("ip-adapter_sdxl")
        .satisfies(
            e -> assertThat(((AtelierException.InvalidRequest) e).param()).isEqualTo("references"));
  }

  @Test
  void styleReferencesKeepWorkingOnSdxl() {
    RgbImage warm = new RgbImage(64, 64, new byte[64 * 64 * 3]);
    for (int p = 0; p < warm.rgb().length; p += 3) {
      warm.rgb()[p] = (byte) 0xE0;
      warm.rgb()[p + 1] = (byte) 0x7A;
      warm.rgb()[p + 2] = (byte) 0x2F;
    }
    var style = new Reference(warm, Reference.Role.STYLE, 1);
    SamplingParams s = sampling().steps(3).build();
    RgbImage plain =
        generate(sdxl, new GenerationRequest("a cup", new ImageSize(64, 64), s)).get(0).image();
    GeneratedImage styled =
        generate(sdxl, new GenerationRequest("a cup", new ImageSize(64, 64), s, List.of(style)))
            .get(0);
    assertThat(styled.parameters()).containsEntry("style_reference_weight", "1.0");
    Palette ref = Palette.of(warm);
    assertThat(ref.distanceTo(Palette.of(styled.image())))
        .isLessThan(ref.distanceTo(Palette.of(plain)) / 2);
  }
}
