package dev.atelier.engine.onnx.grounding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.grounding.internal.TokenizerJson;
import dev.atelier.engine.onnx.model.OrtSettings;
import dev.atelier.engine.onnx.tokenizer.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the tiny CLIPSeg fixture, batching, and the tokenizer.json adapter. */
class ClipSegModelTest {
  private static final Path FOLDER =
      Path.of("src/test/resources/diffusers-tiny/models/tiny-clipseg");

  @Test
  void runsAnyImageSizeAndReportsTheGrid() {
    try (ClipSegModel m = ClipSegModel.load(FOLDER, OrtSettings.cpu())) {
      assertThat(m.outputWidth()).isEqualTo(64);
      assertThat(m.outputHeight()).isEqualTo(64);
      float[][] logits = m.logits(new RgbImage(30, 20, new byte[30 * 20 * 3]), List.of("a", "b"));
      assertThat(logits).hasDimensions(2, 64 * 64);
    }
  }

  @Test
  void findsARegionEndToEnd() {
    try (ClipSegModel m = ClipSegModel.load(FOLDER, OrtSettings.cpu())) {
      RgbImage image = new RgbImage(40, 30, new byte[40 * 30 * 3]);
      // Random weights: any outcome is fine as long as it is a mask or the documented error.
      try {
        GroundingResult r = new RegionFinder(m).find(image, RegionQuery.of("the red box"));
        assertThat(r.mask().width()).isEqualTo(40);
      } catch (AtelierException.InvalidRequest e) {
        assertThat(e.getMessage()).startsWith("target 'the red box' grounds to nothing");
      }
    }
  }

  @Test
  void wrongPixelCountIsRejected() {
    try (ClipSegModel m = ClipSegModel.load(FOLDER, OrtSettings.cpu())) {
      assertThatThrownBy(() -> m.logitsFromPixels(new float[5], List.of("a")))
          .hasMessage(
              "pixelValues must hold 12288 (one image) or 12288 (one per phrase) floats but"
                  + " holds 5");
    }
  }

  @Test
  void missingFilesAreNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> ClipSegModel.load(dir, OrtSettings.cpu()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessage(
            "CLIPSeg folder " + dir + " must contain preprocessor_config.json but does not");
  }

  @Test
  void tokenizerJsonAloneGivesTheSameIds(@TempDir Path dir) throws Exception {
    Path tok = FOLDER.resolve("tokenizer");
    JsonValue vocab = Json.parse(Files.readString(tok.resolve("vocab.json")));
    List<JsonValue> merges = new ArrayList<>();
    List<String> lines = Files.readAllLines(tok.resolve("merges.txt"));
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#version")) {
        continue;
      }
      String[] p = line.split(" ");
      // Mix both spellings of a merge that tokenizers has used.
      merges.add(
          i % 2 == 0
              ? new JsonValue.Str(line)
              : new JsonValue.Arr(List.of(new JsonValue.Str(p[0]), new JsonValue.Str(p[1]))));
    }
    Map<String, JsonValue> model = new LinkedHashMap<>();
    model.put("type", new JsonValue.Str("BPE"));
    model.put("vocab", vocab);
    model.put("merges", new JsonValue.Arr(merges));
    Files.writeString(
        dir.resolve("tokenizer.json"),
        Json.write(new JsonValue.Obj(Map.of("model", new JsonValue.Obj(model)))));
    ClipTokenizer fromJson = TokenizerJson.load(dir);
    ClipTokenizer fromFiles = ClipTokenizer.load(tok);
    for (String text : List.of("a white cup on the left", "sofa", "the red box")) {
      assertThat(fromJson.encode(text)).as(text).containsExactly(fromFiles.encode(text));
    }
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(dir.resolve("tokenizer.json"));
    }
  }

  @Test
  void malformedTokenizerJsonNamesTheFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\"}");
    assertThatThrownBy(() -> TokenizerJson.load(dir))
        .hasMessage(dir.resolve("tokenizer.json") + ": expected a \"model\" object but found none");
  }
}
