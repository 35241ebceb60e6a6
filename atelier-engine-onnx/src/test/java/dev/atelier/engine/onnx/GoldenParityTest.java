package dev.atelier.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.engine.onnx.grounding.ClipSegGoldens;
import dev.atelier.engine.onnx.pipeline.PipelineGoldens;
import dev.atelier.engine.onnx.rng.RngGoldens;
import dev.atelier.engine.onnx.scheduler.SchedulerGoldens;
import dev.atelier.engine.onnx.tokenizer.TokenizerGoldens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Parity with the reference implementation, over every golden case found.
 *
 * <p>Searches the folders in the system property {@code atelier.goldens} (comma-separated; default:
 * the fixtures copied into this module's test resources) and checks, wherever present: {@code
 * tokenizer.json} (tokenizer ids), {@code rng/index.json} (torch noise, bit for bit), {@code
 * schedulers/index.json} (every scheduler step) and each folder whose {@code case.json} has a
 * {@code pipeline} key (every step's latents and the image). Cases are discovered, never listed:
 * new folders of the same layout are checked without code changes. Fails when nothing is found.
 */
class GoldenParityTest {

  static List<Path> roots() {
    String prop = System.getProperty("atelier.goldens", "");
    List<Path> roots = new ArrayList<>();
    for (String s : prop.split(",")) {
      if (!s.isBlank()) {
        roots.add(Path.of(s.trim()));
      }
    }
    if (roots.isEmpty()) {
      roots.add(Path.of("src/test/resources/diffusers-tiny/goldens"));
    }
    return roots;
  }

  @TestFactory
  Stream<DynamicNode> everyGoldenCase() {
    List<DynamicNode> nodes = new ArrayList<>();
    for (Path root : roots()) {
      assertThat(root).as("golden folder from atelier.goldens").isDirectory();
      List<Path> files = walk(root);
      for (Path f : files) {
        String name = f.getFileName().toString();
        String parent = f.getParent().getFileName().toString();
        if (name.equals("tokenizer.json") && !isInsideModel(f)) {
          nodes.add(DynamicContainer.dynamicContainer("tokenizer " + f, TokenizerGoldens.tests(f)));
        } else if (name.equals("index.json") && parent.equals("rng")) {
          nodes.add(DynamicContainer.dynamicContainer("rng " + f, RngGoldens.tests(f)));
        } else if (name.equals("index.json") && parent.equals("schedulers")) {
          nodes.add(
              DynamicContainer.dynamicContainer("schedulers " + f, SchedulerGoldens.tests(f)));
        } else if (name.equals("case.json") && PipelineGoldens.isPipelineCase(f)) {
          nodes.add(
              DynamicContainer.dynamicContainer("pipeline " + parent, PipelineGoldens.tests(f)));
        } else if (name.equals("case.json") && ClipSegGoldens.isClipSegCase(f)) {
          nodes.add(
              DynamicContainer.dynamicContainer("clipseg " + parent, ClipSegGoldens.tests(f)));
        }
      }
    }
    assertThat(nodes).as("golden cases found under %s", roots()).isNotEmpty();
    return nodes.stream();
  }

  /** A tokenizer.json inside a model folder is a fast-tokenizer file, not a golden. */
  private static boolean isInsideModel(Path f) {
    return Files.isRegularFile(f.resolveSibling("vocab.json"))
        || Files.isRegularFile(f.resolveSibling("tokenizer_config.json"));
  }

  private static List<Path> walk(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      Path[] sorted = s.filter(Files::isRegularFile).sorted().toArray(Path[]::new);
      return Arrays.asList(sorted);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
