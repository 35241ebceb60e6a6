package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one-step and SDXL aliases resolve offline: the fake Hub serves the tiny fixture of the same
 * architecture under the alias's repo id, and what the pull stores loads as a model.
 */
class RegistryAliasPullTest {
  @TempDir Path dataDir;

  @Test
  void sdTurboPullsAndLoadsAsAnSd2Model() throws Exception {
    RegistryEntry entry = ModelRegistry.bundled().find("sd-turbo").orElseThrow();
    Path fixture =
        Path.of("src/test/resources/diffusers-tiny/models/tiny-sd21-turbo").toAbsolutePath();
    List<Duration> waits = new ArrayList<>();
    try (FakeHub hub = new FakeHub(entry.repo(), fixture)) {
      ModelCache cache =
          new ModelCache(
              dataDir,
              new HubClient(
                  new HubConfig(hub.endpoint(), "", false), RetryPolicy.DEFAULT, waits::add));

      Path folder = cache.pull(ModelRegistry.bundled().expand("sd-turbo"), DownloadProgress.NONE);

      assertThat(folder).isEqualTo(cache.resolve(entry.modelId().toString()));
      try (StableDiffusionModel model = StableDiffusionModel.load(folder, OrtSettings.cpu())) {
        assertThat(model.schedulerClass()).isEqualTo("EulerDiscreteScheduler");
        assertThat(model.schedulerConfig().string("timestep_spacing", "")).isEqualTo("trailing");
        assertThat(model.tokenizer().padId()).as("SD2 pads with '!'").isZero();
      }
    }
  }

  /**
   * The SDXL aliases pull their pinned commit: the fake Hub serves the tiny SDXL layout only at
   * that revision (with the UNet's weights as external data), beside the safetensors and OpenVINO
   * files the real repositories hold, which the pull must leave alone.
   */
  @ParameterizedTest
  @CsvSource({
    "sdxl, 51f73290e8342333ca42c7b9f4fb07526f6d1fb9, tiny-sdxl, EulerDiscreteScheduler",
    "sdxl-turbo, fbda35297a8280789ffe2e25206800702fa5c4c1, tiny-sdxl-turbo,"
        + " EulerAncestralDiscreteScheduler"
  })
  void sdxlAliasesPullTheirPinnedOnnxExportAndLoadAsSdxl(
      String alias, String pinned, String fixtureName, String scheduler) throws Exception {
    RegistryEntry entry = ModelRegistry.bundled().find(alias).orElseThrow();
    assertThat(entry.revision()).isEqualTo(pinned);
    assertThat(ModelRegistry.bundled().expand(alias)).isEqualTo(entry.repo() + "@" + pinned);
    Path fixture =
        Path.of("src/test/resources/diffusers-tiny/models/" + fixtureName).toAbsolutePath();
    byte[] unetData = Files.readAllBytes(fixture.resolve("../tiny-sdxl/unet/model.onnx_data"));
    List<String> skipped =
        List.of(
            "unet/diffusion_pytorch_model.safetensors",
            "unet/diffusion_pytorch_model.fp16.safetensors",
            "text_encoder_2/model.safetensors",
            "text_encoder_2/model.fp16.safetensors",
            "vae/diffusion_pytorch_model.safetensors",
            "sd_xl_base_1.0.safetensors",
            "unet/openvino_model.xml",
            "unet/openvino_model.bin",
            "text_encoder_2/flax_model.msgpack");
    try (FakeHub hub = new FakeHub(entry.repo(), pinned, fixture)) {
      assertThat(hub.files)
          .as("link files are served as the folders they name")
          .containsKeys("unet/model.onnx", "unet/model.onnx_data", "text_encoder_2/model.onnx")
          .doesNotContainKey("unet");
      for (String f : skipped) {
        hub.files.put(f, new byte[] {1, 2, 3});
      }
      ModelCache cache =
          new ModelCache(
              dataDir,
              new HubClient(
                  new HubConfig(hub.endpoint(), "", false), RetryPolicy.DEFAULT, d -> {}));

      Path folder = cache.pull(ModelRegistry.bundled().expand(alias), DownloadProgress.NONE);

      assertThat(folder).isEqualTo(cache.resolve(entry.modelId().toString()));
      assertThat(hub.requests)
          .extracting(FakeHub.Request::path)
          .as("every request names the pinned revision (or is an LFS redirect's target)")
          .allMatch(p -> p.contains("/" + pinned) || p.startsWith("/cdn/"))
          .noneMatch(p -> p.contains("/main"));
      assertThat(hub.requestsFor("/tree/" + pinned)).isNotEmpty();
      assertThat(folder.resolve("unet/model.onnx_data")).hasBinaryContent(unetData);
      for (String f : skipped) {
        assertThat(folder.resolve(f)).doesNotExist();
        assertThat(hub.requestsFor(f)).isEmpty();
      }
      try (Stream<Path> walk = Files.walk(folder)) {
        assertThat(walk.map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.endsWith(".safetensors") || n.startsWith("openvino_model"));
      }
      try (StableDiffusionModel model = StableDiffusionModel.load(folder, OrtSettings.cpu())) {
        assertThat(model.isSdxl()).isTrue();
        assertThat(model.tokenizer2()).isPresent();
        assertThat(model.schedulerClass()).isEqualTo(scheduler);
      }
    }
  }
}
