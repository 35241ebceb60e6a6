package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-step aliases resolve offline: the fake Hub serves the tiny fixture of the same
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
}
