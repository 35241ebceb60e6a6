package dev.atelier.server;

import static dev.atelier.server.ImagesApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.Consistency;
import dev.atelier.core.batch.CharacterSheet;
import dev.atelier.core.json.JsonValue;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches on the wire: variations without near-duplicates, coherent sets with one character sheet
 * over every panel, the consistency report of every batch, and each bad field a 400 naming it.
 */
class BatchesApiTest {
  @TempDir Path dir;

  private static List<Long> seeds(ServerFixture.Reply r) {
    return r.json().array("data").stream()
        .map(d -> (long) d.asObject().number("seed", -1))
        .toList();
  }

  @Test
  void variationsAreDistinctAndReportHowConsistentTheyAre() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply r =
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"a minimalist coffee shop logo\",\"n\":3,\"seed\":10,\"size\":\"64x64\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(seeds(r)).containsExactly(10L, 11L, 12L);
      assertThat(r.json().string("consistency", "")).isEqualTo("variations");
      JsonValue.Obj report = r.json().object("consistency_report").orElseThrow();
      assertThat(report.integer("pairs", -1)).isEqualTo(3);
      assertThat(report.integer("images", -1)).isEqualTo(3);
      assertThat(report.number("palette_ciede2000", -1)).isPositive();
      assertThat(report.number("lab_histogram_distance", -1)).isBetween(0.0, 1.0);
      assertThat(f.engine.generations.get(0).sampling().consistency())
          .isEqualTo(Consistency.VARIATIONS);

      ServerFixture.Reply single =
          f.post("/v1/images/generations", "{\"prompt\":\"a logo\",\"size\":\"64x64\"}");
      assertThat(single.json().has("consistency_report")).isFalse();
    }
  }

  @Test
  void aNearDuplicateIsRedrawnWithTheNextFreeSeedAndSaidSo() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.engine.duplicateOf = 10;
      f.engine.duplicateSeeds = Set.of(11L);
      ServerFixture.Reply r =
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"a red kite over a beach\",\"n\":3,\"seed\":10,\"size\":\"64x64\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(seeds(r)).containsExactly(10L, 13L, 12L);
      assertThat(r.json().array("warnings"))
          .extracting(w -> ((JsonValue.Str) w).value())
          .contains(
              "image 1 was a near-duplicate of image 0 (perceptual hash distance <= 6) and was"
                  + " redrawn with seed 13");
      assertThat(f.engine.generations).hasSize(2);
      assertThat(f.engine.generations.get(1).sampling().seed()).isEqualTo(13);
    }
  }

  @Test
  void aSetAppliesOneCharacterSheetToEveryPanel() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply r =
          f.post(
              "/v1/images/generations",
              "{\"consistency\":\"set\",\"size\":\"64x64\",\"seed\":3,"
                  + "\"character\":{\"age\":\"30-year-old\",\"hair\":\"short black hair\","
                  + "\"glasses\":\"black-frame glasses\",\"clothing\":\"dark-blue shirt\"},"
                  + "\"prompts\":[\"panel 1: he opens the cafe door in the morning\","
                  + "\"panel 2: he grinds coffee beans\",\"panel 3: he hands a cup to a customer\"]}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().array("data")).hasSize(3);
      assertThat(r.json().string("consistency", "")).isEqualTo("set");
      var request = f.engine.generations.get(0);
      assertThat(request.sampling().consistency()).isEqualTo(Consistency.SET);
      assertThat(request.prompts()).hasSize(3);
      for (String panel : request.prompts()) {
        assertThat(panel)
            .contains("30-year-old", "short black hair", "black-frame glasses", "dark-blue shirt");
      }
      assertThat(request.prompts().get(1)).startsWith("panel 2: he grinds coffee beans");
    }
  }

  @Test
  void aSetWhosePromptNamesAPersonWithoutTraitsWarns() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply en =
          f.post(
              "/v1/images/generations",
              "{\"consistency\":\"set\",\"n\":2,\"size\":\"64x64\","
                  + "\"prompt\":\"a detective walking through a rainy city at night\"}");
      assertThat(en.status()).as(en.body()).isEqualTo(200);
      assertThat(en.json().array("warnings"))
          .contains(new JsonValue.Str(CharacterSheet.MISSING_TRAITS_WARNING));
      ServerFixture.Reply zh =
          f.post(
              "/v1/images/generations",
              "{\"consistency\":\"set\",\"n\":2,\"size\":\"64x64\",\"prompt\":\"一个女孩在咖啡馆看书\"}");
      assertThat(zh.json().array("warnings"))
          .contains(new JsonValue.Str(CharacterSheet.MISSING_TRAITS_WARNING_ZH));
    }
  }

  @Test
  void badBatchFieldsAre400sNamingTheFieldAndNothingRuns() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      assertError(
          f.post("/v1/images/generations", "{\"prompt\":\"x\",\"consistency\":\"coherent\"}"),
          400,
          "consistency",
          "consistency must be one of variations, set but was 'coherent'");
      assertError(
          f.post("/v1/images/generations", "{\"prompts\":\"a door\"}"),
          400,
          "prompts",
          "prompts must be a list");
      assertError(
          f.post("/v1/images/generations", "{\"prompts\":[\"a door\",\" \"]}"),
          400,
          "prompts[1]",
          "prompts[1] must not be empty");
      assertError(
          f.post("/v1/images/generations", "{\"n\":3,\"prompts\":[\"a door\",\"a key\"]}"),
          400,
          "prompts",
          "n is 3 but prompts holds 2");
      assertError(
          f.post(
              "/v1/images/generations",
              "{\"prompts\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]}"),
          400,
          "prompts",
          "prompts must hold 1..10 prompts but holds 11");
      assertError(
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"x\",\"consistency\":\"set\",\"character\":{\"eyes\":\"green\"}}"),
          400,
          "character",
          "eyes");
      assertThat(f.engine.calls.get()).isZero();
    }
  }

  @Test
  void aSmallReferenceIsWarnedAbout() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String png =
          "data:image/png;base64," + LocalEditApiTest.b64(LocalEditApiTest.noise(64, 48, 1));
      ServerFixture.Reply r =
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"a poster\",\"size\":\"64x64\",\"reference_images\":[\""
                  + png
                  + "\"]}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().array("warnings").toString()).contains("64x48", "512");
    }
  }
}
