package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.edit.GroundingQuery;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's and the guide's edit sentences, English and Chinese, as session rounds over HTTP:
 * every line of {@code edit-sentences.tsv} must answer 200 with the tabled target and operation,
 * send no "everything else" to the grounder, and leave every pixel outside the region identical.
 * Add a line there to add a case.
 */
class EditSentencesApiTest {
  @TempDir Path dir;

  static Stream<Arguments> sentences() throws IOException {
    try (InputStream in = EditSentencesApiTest.class.getResourceAsStream("edit-sentences.tsv")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text
          .lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .map(l -> l.split("\t", -1))
          .map(c -> Arguments.of(c[0], c[1], c[2]))
          .toList()
          .stream();
    }
  }

  /** Every tabled target owns the middle of the image; "image" (where to add) is all of it. */
  static Map<String, double[]> strips() throws IOException {
    Map<String, double[]> strips = new LinkedHashMap<>();
    sentences()
        .forEach(
            a -> {
              String target = (String) a.get()[1];
              strips.put(
                  target, target.equals("image") ? new double[] {0, 1} : new double[] {0.25, 0.5});
            });
    return strips;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sentences")
  void aSessionRoundEditsOnlyTheTarget(String instruction, String target, String operation)
      throws Exception {
    FakeGrounder grounder = new FakeGrounder(strips());
    try (ServerFixture f = new ServerFixture(dir, false, grounder)) {
      BufferedImage input = LocalEditApiTest.noise(96, 64, instruction.hashCode());
      ServerFixture.Reply created =
          f.post("/v1/sessions", "{\"image\":\"" + LocalEditApiTest.b64(input) + "\"}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String id = created.json().string("id", "");

      ServerFixture.Reply r =
          f.post(
              "/v1/sessions/" + id + "/rounds",
              "{\"instruction\":" + Json.quote(instruction) + ",\"seed\":7}");

      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonValue.Obj plan = r.json().object("plan").orElseThrow();
      assertThat(plan.object("target").orElseThrow().string("en", "")).isEqualTo(target);
      assertThat(plan.string("operation", "")).isEqualTo(operation);
      assertThat(grounder.queries)
          .flatExtracting(GroundingQuery::keep)
          .as("keep phrases sent to the grounder")
          .noneMatch(k -> k.matches(".*\\b(?:everything|rest|else)\\b.*|other"));
      JsonValue.Obj round = r.json().object("round").orElseThrow();
      RgbImage after = content(f, round.string("image_id", ""));
      RgbImage region =
          content(f, round.object("params").orElseThrow().string("region_mask_id", ""));
      assertUnchangedOutside(RgbImage.from(input), after, region);
      assertThat(r.json().object("fidelity").orElseThrow().number("changed_outside", -1))
          .isEqualTo(0.0);
    }
  }

  private static RgbImage content(ServerFixture f, String imageId) throws Exception {
    assertThat(imageId).isNotEmpty();
    return ImageCodec.decode(
        f.bytes(f.base() + "/v1/images/" + imageId + "/content"), ImageLimits.DEFAULT);
  }

  /** Pixels where the region mask is black equal the input's; some pixel inside changed. */
  static void assertUnchangedOutside(RgbImage before, RgbImage after, RgbImage region) {
    int inside = 0;
    int changedInside = 0;
    for (int y = 0; y < before.height(); y++) {
      for (int x = 0; x < before.width(); x++) {
        if ((region.rgbAt(x, y) & 0xff) == 0) {
          assertThat(after.rgbAt(x, y))
              .as("pixel %d,%d outside the region", x, y)
              .isEqualTo(before.rgbAt(x, y));
        } else {
          inside++;
          changedInside += before.rgbAt(x, y) != after.rgbAt(x, y) ? 1 : 0;
        }
      }
    }
    assertThat(inside).as("pixels in the region").isPositive();
    assertThat(changedInside).as("pixels changed inside the region").isPositive();
  }
}
