package dev.atelier.engine.onnx.grounding;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The fixture's CLIPSeg case, runnable alone; GoldenParityTest finds it too. */
class ClipSegGoldenTest {
  @TestFactory
  Stream<DynamicTest> fixtureCase() {
    return ClipSegGoldens.tests(
        Path.of("src/test/resources/diffusers-tiny/goldens/clipseg/case.json"));
  }
}
