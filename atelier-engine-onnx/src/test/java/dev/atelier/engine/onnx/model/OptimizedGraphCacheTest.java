package dev.atelier.engine.onnx.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optimised graphs cached on disk give the same images, and a broken entry is rebuilt. */
class OptimizedGraphCacheTest {
  static final Path SD = Path.of("src/test/resources/diffusers-tiny/models/tiny-sd");
  @TempDir Path cache;

  static RgbImage generate(OrtSettings settings) {
    try (OnnxEngine e = new OnnxEngine(StableDiffusionModel.load(SD, settings))) {
      SamplingParams s = SamplingParams.builder().steps(3).seed(9).scheduler("euler_a").build();
      return e.generate(
              new GenerationRequest("a cup", new ImageSize(64, 64), s),
              ProgressListener.NONE,
              CancellationToken.none())
          .get(0)
          .image();
    }
  }

  static List<Path> entries(Path dir, String suffix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
    }
  }

  @Test
  void cachedGraphsGiveTheSameImageAndBrokenEntriesAreRebuilt() throws Exception {
    RgbImage uncached = generate(OrtSettings.cpu());
    OrtSettings cached = OrtSettings.cpu().withOptimizedCache(cache);

    RgbImage first = generate(cached);
    List<Path> ok = entries(cache, ".ok");
    assertThat(ok).as("one complete entry per component").hasSize(4);
    long before = Files.getLastModifiedTime(ok.get(0)).toMillis();

    RgbImage second = generate(cached);
    assertThat(first).isEqualTo(uncached);
    assertThat(second).isEqualTo(uncached);
    assertThat(Files.getLastModifiedTime(ok.get(0)).toMillis())
        .as("entry reused")
        .isEqualTo(before);

    for (Path graph : entries(cache, ".onnx")) {
      Files.writeString(graph, "not a graph");
    }
    assertThat(generate(cached)).isEqualTo(uncached);
    assertThat(entries(cache, ".ok")).hasSize(4);
  }

  @Test
  void createsItsFolderOwnerOnlyLikeTheRestOfTheDataFolder() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        cache.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path dir = cache.resolve("data/ort-cache");

    new OptimizedGraphCache(dir).target("k");

    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
  }
}
