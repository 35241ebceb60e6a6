package dev.atelier.engine.onnx.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory levers of {@link OrtSettings} change where ONNX Runtime keeps its buffers, never the
 * numbers: every combination makes the same image, pixel for pixel, as the defaults; guidance as
 * two batch-1 UNet calls (max UNet batch 1) included. And the floor runs the calls it claims.
 */
class MemorySettingsTest {
  private static final Path TINY_SD = Path.of("src/test/resources/diffusers-tiny/models/tiny-sd");

  static Stream<OrtSettings> levers() {
    OrtSettings cpu = OrtSettings.cpu();
    return Stream.of(
        cpu.withMemory(false, OrtSettings.CpuArena.ON),
        cpu.withMemory(true, OrtSettings.CpuArena.SHRINK),
        cpu.withMemory(true, OrtSettings.CpuArena.OFF),
        cpu.withMemory(false, OrtSettings.CpuArena.OFF),
        cpu.withMaxUnetBatch(1),
        cpu.withMaxUnetBatch(1).withMemory(false, OrtSettings.CpuArena.SHRINK));
  }

  private static List<RgbImage> generate(OrtSettings settings) {
    try (OnnxEngine engine = OnnxEngine.load(TINY_SD, settings)) {
      SamplingParams p = SamplingParams.builder().n(2).steps(3).guidanceScale(6.0).seed(7).build();
      return engine
          .generate(
              new GenerationRequest("a red chair", new ImageSize(64, 64), p),
              ProgressListener.NONE,
              CancellationToken.none())
          .stream()
          .map(g -> g.image())
          .toList();
    }
  }

  @ParameterizedTest
  @MethodSource("levers")
  void everyLeverMakesTheSameImagesAsTheDefaults(OrtSettings settings) {
    List<RgbImage> expected = generate(OrtSettings.cpu());
    List<RgbImage> actual = generate(settings);
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).rgb()).isEqualTo(expected.get(i).rgb());
    }
  }

  @ParameterizedTest
  @MethodSource("levers")
  void theFloorRunsTextEncoderUnetAndDecoder(OrtSettings settings) {
    try (StableDiffusionModel model = StableDiffusionModel.load(TINY_SD, settings)) {
      OrtFloor.Times t = new OrtFloor(model).run(64, 64, 3, 2, true, 2);
      assertThat(t.textEncoderNanos()).isPositive();
      assertThat(t.unetNanos()).isPositive();
      assertThat(t.vaeDecoderNanos()).isPositive();
      assertThat(t.totalNanos())
          .isEqualTo(t.textEncoderNanos() + t.unetNanos() + t.vaeDecoderNanos());
    }
  }

  @org.junit.jupiter.api.Test
  void theFloorRunsBothSdxlTowersAndFeedsTheAddedConditions() {
    try (StableDiffusionModel model =
        StableDiffusionModel.load(
            TinyFolder.fixtureModels().resolve("tiny-sdxl"), OrtSettings.cpu())) {
      OrtFloor.Times t = new OrtFloor(model).run(64, 48, 2, 2, true, 2);
      assertThat(t.textEncoderNanos()).isPositive();
      assertThat(t.unetNanos()).isPositive();
      assertThat(t.vaeDecoderNanos()).isPositive();
    }
  }

  @org.junit.jupiter.api.Test
  void theFloorRefusesEmptyWork() {
    try (StableDiffusionModel model = StableDiffusionModel.load(TINY_SD, OrtSettings.cpu())) {
      assertThatThrownBy(() -> new OrtFloor(model).run(64, 64, 0, 1, false, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("n and steps");
    }
  }
}
