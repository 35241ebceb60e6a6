package dev.atelier.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.Consistency;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.Ciede2000;
import dev.atelier.core.image.ColorSpaces;
import dev.atelier.core.image.PaletteTransfer;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.testing.IpAdapterFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's batch and reference features on the tiny fixture model: per-image prompts, set
 * consistency, style references, and IP-Adapter references on a copy with an analytic adapter.
 */
class OnnxEngineSetsAndReferencesTest {
  static OnnxEngine sd;

  @BeforeAll
  static void load() {
    sd = OnnxEngine.load(OnnxEngineTest.FIXTURES.resolve("models/tiny-sd"), OrtSettings.cpu());
  }

  @AfterAll
  static void close() {
    sd.close();
  }

  static SamplingParams.Builder sampling() {
    return OnnxEngineTest.sampling();
  }

  static List<GeneratedImage> run(GenerationRequest r) {
    return sd.generate(r, ProgressListener.NONE, CancellationToken.none());
  }

  static GenerationRequest request(SamplingParams s, List<Reference> refs, List<String> prompts) {
    return new GenerationRequest("a storyboard", new ImageSize(64, 64), s, refs, prompts);
  }

  /** A uniformly red-ish image with a little noise. */
  static RgbImage reddish(int side) {
    Random r = new Random(3);
    byte[] rgb = new byte[side * side * 3];
    for (int p = 0; p < side * side; p++) {
      rgb[p * 3] = (byte) (200 + r.nextInt(20));
      rgb[p * 3 + 1] = (byte) (40 + r.nextInt(20));
      rgb[p * 3 + 2] = (byte) (50 + r.nextInt(20));
    }
    return new RgbImage(side, side, rgb);
  }

  // --- per-image prompts ---------------------------------------------------------------------

  @Test
  void eachImageOfAPerPromptBatchEqualsItsPromptAloneWithItsSeed() {
    List<String> prompts = List.of("a red fox at dawn", "a city skyline", "a red fox at dawn");
    List<GeneratedImage> batch = run(request(sampling().n(3).build(), List.of(), prompts));
    for (int i = 0; i < 3; i++) {
      GeneratedImage alone =
          run(new GenerationRequest(
                  prompts.get(i), new ImageSize(64, 64), sampling().seed(40 + i).build()))
              .get(0);
      assertThat(batch.get(i).image()).as("image %d", i).isEqualTo(alone.image());
      assertThat(batch.get(i).parameters())
          .containsEntry("prompt", prompts.get(i))
          .containsEntry("set_prompt", "a storyboard")
          .containsEntry("seed", Long.toString(40 + i));
    }
    // Different prompts with one seed give different images.
    List<GeneratedImage> sameSeed =
        run(
            request(
                sampling().n(2).noiseMode(dev.atelier.core.NoiseMode.BATCH).build(),
                List.of(),
                List.of("a red fox at dawn", "a city skyline")));
    assertThat(sameSeed.get(0).image()).isNotEqualTo(sameSeed.get(1).image());
  }

  // --- set consistency -----------------------------------------------------------------------

  @Test
  void aSetRecordsItsMixingAndItsImagesDoNotDependOnN() {
    List<GeneratedImage> three =
        run(request(sampling().n(3).consistency(Consistency.SET).build(), List.of(), List.of()));
    List<GeneratedImage> two =
        run(request(sampling().n(2).consistency(Consistency.SET).build(), List.of(), List.of()));
    assertThat(two.get(0).image()).isEqualTo(three.get(0).image());
    assertThat(two.get(1).image()).isEqualTo(three.get(1).image());
    assertThat(three.get(2).parameters())
        .containsEntry("consistency", "set")
        .containsEntry("set_mixing", "0.35")
        .containsEntry("set_seed", "40")
        .containsEntry("seed", "42");
    List<GeneratedImage> variations = run(request(sampling().n(2).build(), List.of(), List.of()));
    assertThat(variations.get(0).image()).isNotEqualTo(two.get(0).image());
    assertThat(variations.get(0).parameters()).doesNotContainKeys("consistency", "set_mixing");
  }

  // --- style references ----------------------------------------------------------------------

  static double meanDeltaE(RgbImage image, ColorSpaces.Lab target) {
    double sum = 0;
    int n = image.width() * image.height();
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        sum += Ciede2000.deltaE(ColorSpaces.srgbToLab(image.rgbAt(x, y)), target);
      }
    }
    return sum / n;
  }

  @Test
  void aStyleReferenceMovesThePaletteTowardItsOwn() {
    RgbImage ref = reddish(48);
    ColorSpaces.Lab refMean = PaletteTransfer.statistics(ref).meanLab();
    RgbImage plain = run(request(sampling().build(), List.of(), List.of())).get(0).image();
    GeneratedImage styled =
        run(request(
                sampling().build(),
                List.of(new Reference(ref, Reference.Role.STYLE, 1)),
                List.of()))
            .get(0);
    double before = meanDeltaE(plain, refMean);
    double after = meanDeltaE(styled.image(), refMean);
    assertThat(after).isLessThan(before / 2);
    assertThat(styled.parameters())
        .containsEntry("style_reference_weight", "1.0")
        .containsEntry(
            "style_reference", "latent statistics (first 40% of steps) + palette mapping");
  }

  @Test
  void aStyleReferenceAtWeightZeroChangesNoPixel() {
    RgbImage plain = run(request(sampling().n(2).build(), List.of(), List.of())).get(1).image();
    GeneratedImage zero =
        run(request(
                sampling().n(2).build(),
                List.of(new Reference(reddish(16), Reference.Role.STYLE, 0)),
                List.of()))
            .get(1);
    assertThat(zero.image()).isEqualTo(plain);
    assertThat(zero.parameters()).containsEntry("style_reference_weight", "0.0");
  }

  @Test
  void withoutAVaeEncoderOnlyThePaletteIsTransferred(@TempDir Path tmp) throws IOException {
    Path folder = IpAdapterFolders.copyTinySd(tmp.resolve("tiny-sd-no-encoder"), true);
    try (OnnxEngine noEncoder = OnnxEngine.load(folder, OrtSettings.cpu())) {
      RgbImage ref = reddish(32);
      GeneratedImage styled =
          noEncoder
              .generate(
                  request(
                      sampling().build(),
                      List.of(new Reference(ref, Reference.Role.STYLE, 1)),
                      List.of()),
                  ProgressListener.NONE,
                  CancellationToken.none())
              .get(0);
      assertThat(styled.parameters())
          .containsEntry("style_reference", "palette mapping only (the model has no vae_encoder)");
      ColorSpaces.Lab refMean = PaletteTransfer.statistics(ref).meanLab();
      RgbImage plain = run(request(sampling().build(), List.of(), List.of())).get(0).image();
      assertThat(meanDeltaE(styled.image(), refMean)).isLessThan(meanDeltaE(plain, refMean) / 2);
    }
  }

  // --- IP-Adapter ----------------------------------------------------------------------------

  @Test
  void subjectReferencesReachTheUnetThroughAnIpAdapter(@TempDir Path tmp) throws IOException {
    Path folder = IpAdapterFolders.tinySdWithIpAdapter(tmp.resolve("tiny-sd-ip"));
    assertThat(Files.isRegularFile(folder.resolve("ip_adapter/model.onnx"))).isTrue();
    try (OnnxEngine ip = OnnxEngine.load(folder, OrtSettings.cpu())) {
      assertThat(ip.model().ipAdapter())
          .hasValueSatisfying(a -> assertThat(a.tokens()).isEqualTo(2));
      GenerationRequest plain = request(sampling().n(2).build(), List.of(), List.of());
      List<GeneratedImage> without =
          ip.generate(plain, ProgressListener.NONE, CancellationToken.none());
      // The same folder without references is the same model as tiny-sd.
      assertThat(without.get(1).image()).isEqualTo(run(plain).get(1).image());
      List<GeneratedImage> with =
          ip.generate(
              request(
                  sampling().n(2).build(),
                  List.of(new Reference(reddish(40), Reference.Role.CHARACTER, 0.8)),
                  List.of()),
              ProgressListener.NONE,
              CancellationToken.none());
      assertThat(with.get(1).image()).isNotEqualTo(without.get(1).image());
      assertThat(with.get(0).parameters())
          .containsEntry("ip_adapter_references", "character 0.8")
          .containsEntry("ip_adapter_tokens", "2");
    }
  }

  @Test
  void halfAnIpAdapterExportIsRefusedWhenLoaded(@TempDir Path tmp) throws IOException {
    Path folder = IpAdapterFolders.tinySdWithIpAdapter(tmp.resolve("tiny-sd-half"));
    Files.delete(folder.resolve("ip_adapter/model.onnx"));
    assertThatThrownBy(() -> OnnxEngine.load(folder, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageContaining("has image_encoder/ but no ip_adapter/model.onnx");
  }
}
