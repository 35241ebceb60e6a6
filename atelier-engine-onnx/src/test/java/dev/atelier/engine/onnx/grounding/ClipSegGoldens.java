package dev.atelier.engine.onnx.grounding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.testing.Npy;
import dev.atelier.engine.onnx.testing.Numerics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DynamicTest;

/**
 * Checks a CLIPSeg golden case against {@link ClipSegModel}: token ids and attention mask, the
 * preprocessing of the input image, and the logits.
 *
 * <p>The case is a {@code case.json} with {@code texts}, {@code input_ids}, {@code attention_mask}
 * and {@code files} naming {@code pixel_values} ({@code [n, 3, h, w]}) and {@code logits} ({@code
 * [n, h, w]}); the image is {@code files.image}, default {@code input.png}. The model is {@code
 * <goldens>/../models/tiny-clipseg}, or {@code <goldens>/../models/<model>} when the case names a
 * {@code model}. Logits are compared when fed the reference pixel values, so that the tolerance
 * measures the graph and tokenizer alone, and again end to end from the image.
 */
public final class ClipSegGoldens {
  /** Largest absolute difference allowed in pixel values; one 8-bit step is about 0.017. */
  public static final double PIXEL_TOLERANCE = 1e-2;

  /** Relative error allowed for logits, from the fixtures' README. */
  public static final double LOGIT_TOLERANCE = 1e-4;

  private static final Map<Path, ClipSegModel> MODELS = new ConcurrentHashMap<>();

  private ClipSegGoldens() {}

  /** True when {@code caseJson} has the CLIPSeg layout (a {@code files.logits} entry). */
  public static boolean isClipSegCase(Path caseJson) {
    return read(caseJson).object("files").map(f -> f.has("logits")).orElse(false);
  }

  /** The dynamic tests of one case. */
  public static Stream<DynamicTest> tests(Path caseJson) {
    Path dir = caseJson.toAbsolutePath().getParent();
    JsonValue.Obj c = read(caseJson);
    JsonValue.Obj files = c.object("files").orElseThrow();
    List<String> texts = c.array("texts").stream().map(v -> ((JsonValue.Str) v).value()).toList();
    String name = dir.getFileName().toString();
    return Stream.of(
        DynamicTest.dynamicTest(
            name + " ids and attention mask", () -> checkTokens(model(dir, c), c, texts)),
        DynamicTest.dynamicTest(
            name + " preprocessing",
            () -> {
              float[] expected = Npy.read(dir.resolve(files.string("pixel_values", ""))).slice(0);
              float[] actual = model(dir, c).preprocess(image(dir, files));
              double err = Numerics.maxAbsDiff(actual, expected);
              System.out.printf("clipseg %s: preprocessing max abs error %s%n", name, err);
              assertThat(err).as("max |pixel_values - reference|").isLessThan(PIXEL_TOLERANCE);
            }),
        DynamicTest.dynamicTest(
            name + " logits (reference pixel values)",
            () -> {
              float[] pixels = Npy.read(dir.resolve(files.string("pixel_values", ""))).asFloats();
              checkLogits(name, "reference pixels", model(dir, c), pixels, texts, dir, files);
            }),
        DynamicTest.dynamicTest(
            name + " logits (from the image)",
            () -> {
              ClipSegModel m = model(dir, c);
              float[] pixels = m.preprocess(image(dir, files));
              checkLogits(name, "image", m, pixels, texts, dir, files);
            }));
  }

  private static void checkTokens(ClipSegModel m, JsonValue.Obj c, List<String> texts) {
    TokenBatch batch = m.tokenize(texts);
    List<JsonValue> ids = c.array("input_ids");
    List<JsonValue> masks = c.array("attention_mask");
    assertThat(batch.rows()).isEqualTo(texts.size());
    for (int r = 0; r < texts.size(); r++) {
      assertThat(batch.idsOf(r)).as("input_ids of %s", texts.get(r)).containsExactly(longs(ids, r));
      assertThat(batch.maskOf(r))
          .as("attention_mask of %s", texts.get(r))
          .containsExactly(longs(masks, r));
    }
  }

  private static void checkLogits(
      String name,
      String from,
      ClipSegModel m,
      float[] pixels,
      List<String> texts,
      Path dir,
      JsonValue.Obj files) {
    float[][] rows = m.logitsFromPixels(pixels, texts);
    Npy expected = Npy.read(dir.resolve(files.string("logits", "")));
    int per = rows[0].length;
    float[] actual = new float[rows.length * per];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, actual, r * per, per);
    }
    double rel = Numerics.relativeError(actual, expected.asFloats());
    System.out.printf(
        "clipseg %s: logits from %s relative error %.3g, max abs %.3g%n",
        name, from, rel, Numerics.maxAbsDiff(actual, expected.asFloats()));
    assertThat(rel).as("logits relative error (from %s)", from).isLessThan(LOGIT_TOLERANCE);
  }

  private static long[] longs(List<JsonValue> rows, int r) {
    return ((JsonValue.Arr) rows.get(r))
        .items().stream().mapToLong(v -> ((JsonValue.Num) v).asLong()).toArray();
  }

  private static RgbImage image(Path dir, JsonValue.Obj files) throws IOException {
    Path png = dir.resolve(files.string("image", "input.png"));
    return RgbImage.from(ImageIO.read(png.toFile()));
  }

  private static ClipSegModel model(Path dir, JsonValue.Obj c) {
    Path folder =
        dir.getParent().resolveSibling("models").resolve(c.string("model", "tiny-clipseg"));
    return MODELS.computeIfAbsent(folder.normalize(), f -> ClipSegModel.load(f, OrtSettings.cpu()));
  }

  private static JsonValue.Obj read(Path file) {
    try {
      return Json.parse(Files.readString(file)).asObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
