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
import dev.atelier.core.NoiseMode;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.StepProgress;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.testing.TestFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on the tiny fixture models: seeds, batches, modes, cancellation, provenance. */
class OnnxEngineTest {
  static final Path FIXTURES = Path.of("src/test/resources/diffusers-tiny");
  static OnnxEngine sd;

  @BeforeAll
  static void load() {
    sd = OnnxEngine.load(FIXTURES.resolve("models/tiny-sd"), OrtSettings.cpu());
  }

  @AfterAll
  static void close() {
    sd.close();
  }

  static SamplingParams.Builder sampling() {
    return SamplingParams.builder().steps(3).guidanceScale(5).scheduler("euler_a").seed(40);
  }

  static GenerationRequest t2i(SamplingParams s) {
    return new GenerationRequest("a white ceramic coffee cup", new ImageSize(64, 64), s);
  }

  @Test
  void perImageSeedsRegenerateEachImageAlone() {
    List<GeneratedImage> batch =
        sd.generate(t2i(sampling().n(3).build()), ProgressListener.NONE, CancellationToken.none());
    assertThat(batch).extracting(GeneratedImage::seed).containsExactly(40L, 41L, 42L);
    GeneratedImage alone =
        sd.generate(
                t2i(sampling().seed(42).build()), ProgressListener.NONE, CancellationToken.none())
            .get(0);
    assertThat(alone.image()).isEqualTo(batch.get(2).image());
    assertThat(batch.get(0).image()).isNotEqualTo(batch.get(1).image());
  }

  @Test
  void batchNoiseImageZeroEqualsTheSingleImageAndTheReferencePng() throws IOException {
    // The golden t2i_euler_a_8steps_cfg7.5 case, through the public engine API.
    SamplingParams s =
        SamplingParams.builder()
            .steps(8)
            .guidanceScale(7.5)
            .seed(1)
            .scheduler("euler_a")
            .negativePrompt("blurry, low quality")
            .noiseMode(NoiseMode.BATCH)
            .build();
    GenerationRequest r =
        new GenerationRequest(
            "a white ceramic coffee cup on a dark wooden table", new ImageSize(64, 64), s);
    RgbImage ours = sd.generate(r, ProgressListener.NONE, CancellationToken.none()).get(0).image();
    RgbImage reference =
        ImageCodec.decode(
            Files.readAllBytes(FIXTURES.resolve("goldens/t2i_euler_a_8steps_cfg7.5/image_0.png")),
            ImageLimits.DEFAULT);
    int maxDiff = 0;
    for (int i = 0; i < ours.rgb().length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((ours.rgb()[i] & 0xff) - (reference.rgb()[i] & 0xff)));
    }
    // Within 1e-4 relative before quantisation: at most one level apart after it.
    assertThat(maxDiff).isLessThanOrEqualTo(1);
  }

  @Test
  void sameRequestGivesTheSameBytes() {
    SamplingParams s = sampling().n(2).build();
    List<GeneratedImage> a = sd.generate(t2i(s), ProgressListener.NONE, CancellationToken.none());
    List<GeneratedImage> b = sd.generate(t2i(s), ProgressListener.NONE, CancellationToken.none());
    assertThat(a.get(1).image()).isEqualTo(b.get(1).image());
  }

  @Test
  void progressIsReportedPerStepWithPreviews() {
    List<StepProgress> seen = new ArrayList<>();
    sd.generate(t2i(sampling().steps(4).build()), seen::add, CancellationToken.none());
    assertThat(seen).extracting(StepProgress::step).containsExactly(1, 2, 3, 4);
    assertThat(seen).allSatisfy(p -> assertThat(p.totalSteps()).isEqualTo(4));
    assertThat(seen.get(3).preview()).hasValueSatisfying(i -> assertThat(i.width()).isEqualTo(32));
  }

  @Test
  void cancellingStopsBeforeTheNextStep() {
    CancellationToken cancel = new CancellationToken();
    List<Integer> steps = new ArrayList<>();
    assertThatThrownBy(
            () ->
                sd.generate(
                    t2i(sampling().steps(6).build()),
                    p -> {
                      steps.add(p.step());
                      if (p.step() == 2) {
                        cancel.cancel();
                      }
                    },
                    cancel))
        .isInstanceOf(AtelierException.Cancelled.class)
        .hasMessage("cancelled before step 3 of 6");
    assertThat(steps).containsExactly(1, 2);
  }

  @Test
  void provenanceNamesEverythingNeededToReproduce() {
    GeneratedImage img =
        sd.generate(t2i(sampling().build()), ProgressListener.NONE, CancellationToken.none())
            .get(0);
    assertThat(img.parameters())
        .containsEntry("engine", "local")
        .containsEntry("model", "tiny-sd")
        .containsEntry("prompt", "a white ceramic coffee cup")
        .containsEntry("scheduler", "euler_a")
        .containsEntry("steps", "3")
        .containsEntry("seed", "40")
        .containsEntry("size", "64x64")
        .containsEntry("mode", "text-to-image");
  }

  @Test
  void defaultSchedulerIsTheFoldersOwn() {
    assertThat(sd.scheduler("default").getClass().getSimpleName())
        .isEqualTo("EulerDiscreteScheduler");
    assertThatThrownBy(() -> sd.scheduler("heun"))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .satisfies(
            e -> assertThat(((AtelierException.InvalidRequest) e).param()).isEqualTo("scheduler"));
  }

  @Test
  void sizesFarAboveTheNativeSquareAreRefusedBeforeAnyWork() {
    // tiny-sd is native 64x64: 128x128 (4x the pixels) runs, 136x128 and 512x512 are refused, so
    // a request cannot exhaust memory in self-attention (512x512 here needs > 20 GB).
    assertThat(sd.maxPixels()).isEqualTo(4L * 64 * 64);
    GenerationRequest big =
        new GenerationRequest("a cup", new ImageSize(512, 512), sampling().steps(1).build());
    assertThatThrownBy(() -> sd.generate(big, ProgressListener.NONE, CancellationToken.none()))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessageContaining("at most 16384 pixels")
        .hasMessageContaining("512x512")
        .satisfies(
            e -> assertThat(((AtelierException.InvalidRequest) e).param()).isEqualTo("size"));
    GenerationRequest justOver =
        new GenerationRequest("a cup", new ImageSize(136, 128), sampling().steps(1).build());
    assertThatThrownBy(() -> sd.generate(justOver, ProgressListener.NONE, CancellationToken.none()))
        .isInstanceOf(AtelierException.InvalidRequest.class);
    GenerationRequest edge =
        new GenerationRequest("a cup", new ImageSize(128, 128), sampling().steps(1).build());
    assertThat(sd.generate(edge, ProgressListener.NONE, CancellationToken.none())).hasSize(1);
  }

  @Test
  void sidesNotAMultipleOfTheUnetsLevelsAreRefusedNamingSize(@TempDir Path dir)
      throws java.io.IOException {
    // tiny-sd's UNet has two levels (latents halved once): sides must be multiples of 2 latents, 4
    // pixels, which every multiple of 8 is. A config with four levels (SD 1.5's: multiples of 64
    // at 8 pixels per latent) makes that 2 * 2^3 = 16 here: 72x72 would fail inside the UNet.
    Path copy = TestFolders.copy(FIXTURES.resolve("models/tiny-sd"), dir.resolve("four-levels"));
    Path config = copy.resolve("unet/config.json");
    Files.writeString(
        config,
        Files.readString(config)
            .replaceFirst(
                "\"down_block_types\"\\s*:\\s*\\[[^\\]]*\\]",
                "\"down_block_types\": [\"CrossAttnDownBlock2D\", \"CrossAttnDownBlock2D\","
                    + " \"CrossAttnDownBlock2D\", \"DownBlock2D\"]"));
    assertThat(sd.model().sizeMultiple()).isEqualTo(4);
    try (OnnxEngine four = OnnxEngine.load(copy, OrtSettings.cpu())) {
      assertThat(four.model().sizeMultiple()).isEqualTo(16);
      GenerationRequest odd =
          new GenerationRequest("a cup", new ImageSize(72, 72), sampling().steps(1).build());
      assertThatThrownBy(() -> four.generate(odd, ProgressListener.NONE, CancellationToken.none()))
          .isInstanceOf(AtelierException.InvalidRequest.class)
          .hasMessageContaining("multiples of 16")
          .hasMessageContaining("72x72")
          .satisfies(
              e -> assertThat(((AtelierException.InvalidRequest) e).param()).isEqualTo("size"));
      GenerationRequest fine =
          new GenerationRequest("a cup", new ImageSize(64, 48), sampling().steps(1).build());
      assertThat(four.generate(fine, ProgressListener.NONE, CancellationToken.none())).hasSize(1);
    }
  }

  @Test
  void subjectReferencesWithoutAnIpAdapterAreRefusedNamingTheField() {
    var ref =
        new dev.atelier.core.Reference(
            new RgbImage(8, 8, new byte[8 * 8 * 3]), dev.atelier.core.Reference.Role.SUBJECT, 1);
    GenerationRequest r =
        new GenerationRequest(
            "a cup", new ImageSize(64, 64), sampling().steps(1).build(), List.of(ref));
    assertThatThrownBy(() -> sd.generate(r, ProgressListener.NONE, CancellationToken.none()))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessageStartingWith(
            "subject references need an IP-Adapter export in the model folder (image_encoder/ and"
                + " ip_adapter/")
        .hasMessageContaining("tiny-sd has none")
        .hasMessageContaining("the name is an example")
        .satisfies(
            e -> assertThat(((AtelierException.InvalidRequest) e).param()).isEqualTo("references"));
  }

  @Test
  void editsTakeStyleReferencesAsAPaletteAndRefuseTheOtherRoles() throws IOException {
    RgbImage init =
        ImageCodec.decode(
            Files.readAllBytes(FIXTURES.resolve("goldens/init.png")), ImageLimits.DEFAULT);
    RgbImage warm = new RgbImage(init.width(), init.height(), new byte[init.rgb().length]);
    java.util.Arrays.fill(warm.rgb(), (byte) 0);
    for (int p = 0; p < warm.rgb().length; p += 3) {
      warm.rgb()[p] = (byte) 0xE0;
      warm.rgb()[p + 1] = (byte) 0x7A;
      warm.rgb()[p + 2] = (byte) 0x2F;
    }
    var style = new dev.atelier.core.Reference(warm, dev.atelier.core.Reference.Role.STYLE, 1);
    SamplingParams s = sampling().steps(4).build();
    EditRequest plain =
        new EditRequest("a green box", init, new EditMode.ImageToImage(0.5), s, List.of());
    EditRequest styled =
        new EditRequest("a green box", init, new EditMode.ImageToImage(0.5), s, List.of(style));
    RgbImage a = sd.edit(plain, ProgressListener.NONE, CancellationToken.none()).get(0).image();
    var b = sd.edit(styled, ProgressListener.NONE, CancellationToken.none()).get(0);
    var refPalette = dev.atelier.core.batch.Palette.of(warm);
    assertThat(refPalette.distanceTo(dev.atelier.core.batch.Palette.of(b.image())))
        .isLessThan(refPalette.distanceTo(dev.atelier.core.batch.Palette.of(a)) / 2);
    assertThat(b.parameters()).containsEntry("style_reference_weight", "1.0");

    var subject = new dev.atelier.core.Reference(init, dev.atelier.core.Reference.Role.SUBJECT, 1);
    EditRequest r =
        new EditRequest("a green box", init, new EditMode.ImageToImage(0.5), s, List.of(subject));
    assertThatThrownBy(() -> sd.edit(r, ProgressListener.NONE, CancellationToken.none()))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessageContaining("only style references on edits")
        .hasMessageContaining("--engine openai")
        .satisfies(
            e -> assertThat(((AtelierException.InvalidRequest) e).param()).isEqualTo("references"));
  }

  @Test
  void imageToImageAndBlendInpaintingRunOnThePlainModel() throws IOException {
    RgbImage init =
        ImageCodec.decode(
            Files.readAllBytes(FIXTURES.resolve("goldens/init.png")), ImageLimits.DEFAULT);
    RgbImage maskImage =
        ImageCodec.decode(
            Files.readAllBytes(FIXTURES.resolve("goldens/mask.png")), ImageLimits.DEFAULT);
    GeneratedImage i2i =
        sd.edit(
                new EditRequest(
                    "a green box",
                    init,
                    new EditMode.ImageToImage(0.5),
                    sampling().steps(4).build()),
                ProgressListener.NONE,
                CancellationToken.none())
            .get(0);
    assertThat(i2i.parameters())
        .containsEntry("mode", "image-to-image")
        .containsEntry("strength", "0.5");
    GeneratedImage inpaint =
        sd.edit(
                new EditRequest(
                    "a green box",
                    init,
                    new EditMode.Inpaint(Mask.fromGray(maskImage)),
                    sampling().build()),
                ProgressListener.NONE,
                CancellationToken.none())
            .get(0);
    assertThat(inpaint.parameters()).containsEntry("mode", "inpaint (blend)");
  }

  @Test
  void instructionEditingNeedsAnInstructPix2PixModel() throws IOException {
    RgbImage init =
        ImageCodec.decode(
            Files.readAllBytes(FIXTURES.resolve("goldens/init.png")), ImageLimits.DEFAULT);
    assertThatThrownBy(
            () ->
                sd.edit(
                    new EditRequest(
                        "make it a watercolor",
                        init,
                        new EditMode.Instruct(1.5),
                        sampling().build()),
                    ProgressListener.NONE,
                    CancellationToken.none()))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessage(
            "instruction editing needs an InstructPix2Pix model (8-channel UNet) but tiny-sd has 4"
                + " channels");
  }

  @Test
  void anInpaintingModelRefusesTextToImage() {
    try (OnnxEngine inpaint =
        OnnxEngine.load(FIXTURES.resolve("models/tiny-sd-inpaint"), OrtSettings.cpu())) {
      assertThatThrownBy(
              () ->
                  inpaint.generate(
                      t2i(sampling().build()), ProgressListener.NONE, CancellationToken.none()))
          .isInstanceOf(AtelierException.InvalidRequest.class)
          .hasMessageContaining("is an inpainting model (9-channel UNet)");
    }
  }

  @Test
  void strengthTooLowForTheStepsIsAClearError() throws IOException {
    RgbImage init =
        ImageCodec.decode(
            Files.readAllBytes(FIXTURES.resolve("goldens/init.png")), ImageLimits.DEFAULT);
    assertThatThrownBy(
            () ->
                sd.edit(
                    new EditRequest(
                        "x", init, new EditMode.ImageToImage(0.1), sampling().steps(4).build()),
                    ProgressListener.NONE,
                    CancellationToken.none()))
        .isInstanceOf(AtelierException.InvalidRequest.class)
        .hasMessageStartingWith("strength 0.1 with 4 steps runs no step");
  }
}
