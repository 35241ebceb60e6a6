package dev.atelier.engine.onnx.rng;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.testing.Npy;
import dev.atelier.engine.onnx.testing.Numerics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Golden checks of {@link TorchGenerator} against recorded {@code torch.randn} draws.
 *
 * <p>An rng {@code index.json} lists entries {@code {seed, shapes: [[...]], files: [...]}}: file
 * {@code k} (relative to the index) holds the float32 result of the {@code k}-th consecutive {@code
 * torch.randn(shapes[k], generator=g)} call on one generator seeded with {@code seed}. Any index of
 * that layout works, so other golden suites can reuse these tests.
 */
public final class RngGoldens {
  private RngGoldens() {}

  /**
   * Returns one test per seed entry of {@code indexJson}, each asserting every draw bit-identical.
   *
   * @param indexJson the rng {@code index.json}; the draw files are resolved next to it
   * @return the tests, in index order
   * @throws UncheckedIOException if the index cannot be read
   * @throws IllegalArgumentException if the index is not a list of entries of the layout above
   */
  public static Stream<DynamicTest> tests(Path indexJson) {
    String text;
    try {
      text = Files.readString(indexJson, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read rng index " + indexJson, e);
    }
    Path folder = indexJson.toAbsolutePath().getParent();
    return Json.parse(text).asArray().stream()
        .map(JsonValue::asObject)
        .map(entry -> test(folder, entry));
  }

  private static DynamicTest test(Path folder, JsonValue.Obj entry) {
    long seed = seed(entry);
    List<long[]> shapes =
        entry.array("shapes").stream()
            .map(s -> s.asArray().stream().mapToLong(RngGoldens::wholeNumber).toArray())
            .toList();
    List<Path> files =
        entry.array("files").stream().map(f -> folder.resolve(f.asString())).toList();
    if (shapes.isEmpty()) {
      throw new IllegalArgumentException(
          "rng entry for seed " + seed + " must list at least 1 shape but lists 0");
    }
    if (shapes.size() != files.size()) {
      throw new IllegalArgumentException(
          "rng entry for seed "
              + seed
              + " must list as many files as shapes ("
              + shapes.size()
              + ") but lists "
              + files.size());
    }
    String name = "seed " + seed + " shapes " + shapes.stream().map(Arrays::toString).toList();
    return DynamicTest.dynamicTest(name, () -> assertDraws(seed, shapes, files));
  }

  private static void assertDraws(long seed, List<long[]> shapes, List<Path> files) {
    TorchGenerator generator = new TorchGenerator(seed);
    for (int k = 0; k < shapes.size(); k++) {
      float[] expected = Npy.read(files.get(k)).floats();
      float[] actual = generator.randn(shapes.get(k));
      int first = Numerics.firstBitDifference(actual, expected);
      String where = "seed " + seed + ", draw " + k + " " + Arrays.toString(shapes.get(k));
      assertThat(actual.length).as("element count of %s", where).isEqualTo(expected.length);
      assertThat(first)
          .as(
              "first bit difference in %s: index %d expected %s but was %s",
              where,
              first,
              first < 0 ? "-" : describe(expected[first]),
              first < 0 ? "-" : describe(actual[first]))
          .isEqualTo(-1);
    }
  }

  private static String describe(float value) {
    return value + " (0x" + Integer.toHexString(Float.floatToRawIntBits(value)) + ")";
  }

  private static long seed(JsonValue.Obj entry) {
    return wholeNumber(
        entry
            .get("seed")
            .orElseThrow(
                () -> new IllegalArgumentException("rng entry must have a seed but was " + entry)));
  }

  private static long wholeNumber(JsonValue value) {
    double d = value.asDouble();
    // Json keeps numbers as doubles: exact for every integer up to 2^53, beyond any fixture seed.
    if (d != Math.rint(d) || Math.abs(d) > 0x1.0p53) {
      throw new IllegalArgumentException(
          "expected an integer of magnitude <= 2^53 but found " + value);
    }
    return (long) d;
  }
}
