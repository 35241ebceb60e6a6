package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.server.models.ModelProfile;
import dev.atelier.server.models.ModelSet;
import dev.atelier.store.JdbcMetadataStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An API node given model ids (or none) takes each model's kind and profile from the workers that
 * serve it, so `size`, `auto` and the few-step defaults work as on the worker: an SDXL model's
 * OpenAI sizes land on its buckets on every node.
 */
class ApiNodeModelsTest {
  @TempDir Path dir;

  private static final ModelProfile SDXL =
      new ModelProfile(ModelProfile.Family.SDXL, 1024, 32, false);

  @Test
  void idsAndDiscoveredModelsCarryTheWorkersProfiles() throws Exception {
    try (MetadataStore store = JdbcMetadataStore.openSqlite(dir.resolve("atelier.db"))) {
      Instant now = Instant.now();
      store.reportWorker(
          new Worker(
              "host:1:abc",
              "host",
              1,
              "local",
              List.of(
                  new Worker.Model("sdxl", "text-to-image", SDXL.wire()),
                  new Worker.Model("old", "text-to-image")),
              "cpu",
              Worker.State.IDLE,
              "",
              now,
              now));
      for (List<String> given : List.of(List.of("sdxl", "old"), List.<String>of())) {
        ModelSet set =
            ApiNodeModels.models(
                given, null, "local", store, Duration.ofSeconds(30), new CountDownLatch(1));
        assertThat(set.models()).extracting(ModelSet.Model::id).containsExactly("sdxl", "old");
        assertThat(set.models().get(0).profile()).isEqualTo(SDXL);
        assertThat(
                set.models().get(0).profile().bucketFor(new dev.atelier.core.ImageSize(1536, 1024)))
            .hasValue(new dev.atelier.core.ImageSize(1216, 832));
        assertThat(set.models().get(1).profile())
            .as("a worker that reports no profile")
            .isEqualTo(ModelProfile.UNKNOWN);
      }
    }
  }

  @Test
  void profilesRoundTripThroughTheirWireForm() {
    for (ModelProfile p :
        List.of(
            SDXL,
            new ModelProfile(ModelProfile.Family.SDXL, 512, 32, true),
            new ModelProfile(ModelProfile.Family.SD, 512, 64, false))) {
      assertThat(ModelProfile.parse(p.wire())).isEqualTo(p);
    }
    assertThat(ModelProfile.UNKNOWN.wire()).isEmpty();
    assertThat(ModelProfile.parse("")).isEqualTo(ModelProfile.UNKNOWN);
    assertThat(ModelProfile.parse("sdxl/x/32/steps")).isEqualTo(ModelProfile.UNKNOWN);
    assertThat(ModelProfile.parse("nonsense")).isEqualTo(ModelProfile.UNKNOWN);
  }
}
