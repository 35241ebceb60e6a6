package dev.atelier.engine.onnx.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Turns a {@code tokenizer.json} golden file into one dynamic test per case.
 *
 * <p>The file is {@code {"tokenizer_class", "transformers", "tokenizer"?, "cases": [{"text",
 * "tokens"?, "ids", "ids_max_length_77"}]}}, with ids as transformers' {@code CLIPTokenizer} gives
 * them ({@code ids} framed by bos/eos but not truncated). The tokenizer folder is the {@code
 * "tokenizer"} field resolved against the golden's folder when present, else {@code
 * ../models/tiny-sd/tokenizer} from that folder (golden at {@code <root>/goldens/tokenizer.json},
 * tokenizer at {@code <root>/models/tiny-sd/tokenizer}).
 */
public final class TokenizerGoldens {
  private static final String DEFAULT_TOKENIZER = "../models/tiny-sd/tokenizer";

  private TokenizerGoldens() {}

  /** The tokenizer folder that {@code tokenizerJson} is checked against. */
  public static Path tokenizerDir(Path tokenizerJson) {
    JsonValue.Obj golden = read(tokenizerJson);
    Path goldensDir = tokenizerJson.toAbsolutePath().getParent();
    return goldensDir.resolve(golden.string("tokenizer", DEFAULT_TOKENIZER)).normalize();
  }

  /**
   * One test per case of {@code tokenizerJson}, comparing tokens (when given) and both id lists.
   */
  public static Stream<DynamicTest> tests(Path tokenizerJson) {
    JsonValue.Obj golden = read(tokenizerJson);
    String tokenizerClass = golden.string("tokenizer_class", "CLIPTokenizer");
    if (!tokenizerClass.startsWith("CLIPTokenizer")) {
      throw new IllegalArgumentException(
          tokenizerJson + ": expected tokenizer_class CLIPTokenizer but found " + tokenizerClass);
    }
    List<JsonValue> cases = golden.array("cases");
    if (cases.isEmpty()) {
      throw new IllegalArgumentException(tokenizerJson + ": expected a non-empty \"cases\" array");
    }
    ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerDir(tokenizerJson));
    return IntStream.range(0, cases.size())
        .mapToObj(
            i -> {
              JsonValue.Obj c = cases.get(i).asObject();
              String text = c.string("text", null);
              return DynamicTest.dynamicTest(
                  "case " + i + ": " + label(text), () -> check(tokenizer, c, text));
            });
  }

  private static void check(ClipTokenizer tokenizer, JsonValue.Obj c, String text) {
    assertThat(text).as("\"text\" of the case").isNotNull();
    if (c.has("tokens")) {
      List<String> tokens = c.array("tokens").stream().map(JsonValue::asString).toList();
      assertThat(tokenizer.tokenize(text)).as("tokens of %s", label(text)).isEqualTo(tokens);
    }
    int[] ids = ints(c.array("ids"));
    int[] framed =
        IntStream.concat(
                IntStream.concat(
                    IntStream.of(tokenizer.bosId()), IntStream.of(tokenizer.tokenIds(text))),
                IntStream.of(tokenizer.eosId()))
            .toArray();
    assertThat(framed).as("ids of %s", label(text)).containsExactly(ids);

    int max = tokenizer.maxLength();
    int[] truncated = ids.length <= max ? ids : truncate(ids, max);
    assertThat(tokenizer.encode(text)).as("encode(%s)", label(text)).containsExactly(truncated);
    assertThat(tokenizer.encodePadded(text))
        .as("ids_max_length_77 of %s", label(text))
        .containsExactly(ints(c.array("ids_max_length_77")));
  }

  private static int[] truncate(int[] ids, int max) {
    int[] out = Arrays.copyOf(ids, max);
    out[max - 1] = ids[ids.length - 1];
    return out;
  }

  private static int[] ints(List<JsonValue> values) {
    return values.stream().mapToInt(v -> (int) v.asDouble()).toArray();
  }

  private static String label(String text) {
    if (text == null) {
      return "<no text>";
    }
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    return Json.quote(shown);
  }

  private static JsonValue.Obj read(Path tokenizerJson) {
    try {
      return Json.parse(Files.readString(tokenizerJson, StandardCharsets.UTF_8)).asObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read golden " + tokenizerJson, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          tokenizerJson + ": expected a JSON object of tokenizer cases but " + e.getMessage(), e);
    }
  }
}
