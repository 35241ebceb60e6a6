package dev.atelier.engine.onnx.rng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.testing.Npy;
import dev.atelier.engine.onnx.testing.Numerics;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bit-exactness of {@link TorchGenerator} and {@link PerImageNoise} against torch's draws. */
class TorchGeneratorTest {
  private static final String FIXTURE = "diffusers-tiny/goldens";

  @TestFactory
  Stream<DynamicTest> fixtureRngGoldens() {
    return RngGoldens.tests(goldens().resolve("rng/index.json"));
  }

  @Test
  void mt19937MatchesTheReferenceFirstOutput() {
    assertThat(Integer.toUnsignedLong(new TorchGenerator(5489).nextInt())).isEqualTo(3499211612L);
  }

  @Test
  void seedUsesOnlyTheLow32Bits() {
    TorchGenerator wide = new TorchGenerator(4294967303L);
    TorchGenerator narrow = new TorchGenerator(7);

    assertThat(wide.seed()).isEqualTo(4294967303L);
    assertThat(wide.randn(1, 4, 8, 8)).isEqualTo(narrow.randn(1, 4, 8, 8));
  }

  @Test
  void uniformsUseTorchsBitLayout() {
    TorchGenerator raw = new TorchGenerator(99);
    int a = raw.nextInt();
    int b = raw.nextInt();
    int c = raw.nextInt();
    int d = raw.nextInt();
    int e = raw.nextInt();

    TorchGenerator gen = new TorchGenerator(99);
    assertThat(gen.nextLong())
        .isEqualTo((Integer.toUnsignedLong(a) << 32) | Integer.toUnsignedLong(b));
    assertThat(gen.nextFloat()).isEqualTo((c & 0xFFFFFF) / (float) (1 << 24));
    assertThat(gen.nextDouble())
        .isEqualTo(
            (((Integer.toUnsignedLong(d) << 32) | Integer.toUnsignedLong(e)) & ((1L << 53) - 1))
                / 0x1.0p53);
  }

  @ParameterizedTest
  @ValueSource(strings = {"t2i_euler_a_8steps_cfg7.5", "t2i_batch3_euler_a_6steps_cfg4"})
  void reproducesEveryDrawOfAPipelineCase(String caseName) throws IOException {
    Path folder = goldens().resolve(caseName);
    JsonValue.Obj spec = Json.parse(Files.readString(folder.resolve("case.json"))).asObject();
    List<String> draws =
        spec.object("files").orElseThrow().array("draws").stream()
            .map(JsonValue::asString)
            .toList();
    TorchGenerator generator = new TorchGenerator(spec.integer("seed", -1));

    assertThat(draws).isNotEmpty();
    for (String draw : draws) {
      Npy expected = Npy.read(folder.resolve(draw));
      float[] actual = generator.randn(expected.shape());
      assertThat(Numerics.firstBitDifference(actual, expected.floats()))
          .as("first bit difference in %s/%s", caseName, draw)
          .isEqualTo(-1);
    }
  }

  @Test
  void smallDrawsShareTheCachedNormalAcrossCalls() {
    Path rng = goldens().resolve("rng");
    TorchGenerator generator = new TorchGenerator(1234);

    float[] five = generator.randn(5);
    float[] seventeen = generator.randn(17);
    float[] twoByThree = generator.randn(2, 3);

    assertBits(five, Npy.read(rng.resolve("seed1234_0.npy")).floats());
    assertBits(seventeen, Npy.read(rng.resolve("seed1234_1.npy")).floats());
    assertBits(twoByThree, Npy.read(rng.resolve("seed1234_2.npy")).floats());
  }

  @Test
  void oddSmallDrawKeepsItsSpareValueForTheNextCall() {
    TorchGenerator split = new TorchGenerator(3);
    float[] first = split.randn(3);
    float[] second = split.randn(3);

    float[] whole = new TorchGenerator(3).randn(6);

    float[] joined = Arrays.copyOf(first, 6);
    System.arraycopy(second, 0, joined, 3, 3);
    assertBits(joined, whole);
  }

  @Test
  void perImageNoiseMatchesOneGeneratorPerImage() {
    float[] batch = PerImageNoise.seeded(7, 3).randn(3, 4, 8, 8);

    assertThat(batch).hasSize(3 * 256);
    for (int i = 0; i < 3; i++) {
      float[] single = new TorchGenerator(7 + i).randn(1, 4, 8, 8);
      assertBits(Arrays.copyOfRange(batch, i * 256, (i + 1) * 256), single);
    }
  }

  @Test
  void perImageNoiseRejectsAMismatchedBatch() {
    PerImageNoise noise = PerImageNoise.seeded(7, 3);

    assertThat(noise.imageCount()).isEqualTo(3);
    assertThatThrownBy(() -> noise.randn(2, 4, 8, 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape[0] must equal the image count 3 but was 2 in shape [2, 4, 8, 8]");
    assertThatThrownBy(() -> PerImageNoise.seeded(7, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image count must be >= 1 but was 0");
  }

  @Test
  void rejectsNegativeDimensions() {
    assertThatThrownBy(() -> new TorchGenerator(0).randn(1, -3, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape dimensions must be >= 0 but was -3");
  }

  @Test
  void rejectsShapesBeyondTheArrayLimit() {
    assertThatThrownBy(() -> new TorchGenerator(0).randn(65536, 65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "shape element count must be <= 2147483639 but was 4294967296 for shape [65536, 65536]");
  }

  @Test
  void emptyAndScalarShapes() {
    TorchGenerator generator = new TorchGenerator(0);
    TorchGenerator reference = new TorchGenerator(0);

    assertThat(generator.randn(2, 0, 5)).isEmpty();
    assertThat(generator.randn()).hasSize(1);
    assertBits(new float[] {generator.randn(1)[0]}, new float[] {reference.randn(2)[1]});
  }

  private static void assertBits(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    assertThat(Numerics.firstBitDifference(actual, expected)).isEqualTo(-1);
  }

  /** The fixture goldens folder: from the test classpath, else the first configured folder. */
  private static Path goldens() {
    URL resource =
        TorchGeneratorTest.class.getClassLoader().getResource(FIXTURE + "/rng/index.json");
    if (resource != null && "file".equals(resource.getProtocol())) {
      try {
        return Path.of(resource.toURI()).getParent().getParent();
      } catch (URISyntaxException e) {
        throw new IllegalStateException("unusable fixture location " + resource, e);
      }
    }
    String configured = System.getProperty("atelier.goldens", "");
    return Arrays.stream(configured.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(Path::of)
        .filter(p -> Files.isRegularFile(p.resolve("rng/index.json")))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "expected the fixture goldens on the classpath or in atelier.goldens but found"
                        + " neither (atelier.goldens="
                        + configured
                        + ")"));
  }
}
