package dev.atelier.server;

import static dev.atelier.server.ImagesApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.Reference;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reference images on the wire: {@code reference_images} (the guide's style references) and typed
 * {@code references}, handed to the engine with the guide's style emphasis in the prompt's
 * language; every bad reference a 400 naming its field, with nothing run or stored.
 */
class ReferencesApiTest {
  @TempDir Path dir;

  private static String png() throws Exception {
    return "data:image/png;base64," + LocalEditApiTest.b64(LocalEditApiTest.noise(16, 16, 3));
  }

  @Test
  void styleReferencesReachTheEngineWithTheGuidesEmphasis() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply r =
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"a poster for a jazz night\",\"size\":\"64x64\",\"reference_images\":[\""
                  + png()
                  + "\"]}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(f.engine.prompts.get(0))
          .isEqualTo(
              "a poster for a jazz night. Strictly follow the style of the reference image.");
      assertThat(f.engine.references.get(0))
          .singleElement()
          .satisfies(
              ref -> {
                assertThat(ref.role()).isEqualTo(Reference.Role.STYLE);
                assertThat(ref.weight()).isEqualTo(1.0);
                assertThat(ref.image().width()).isEqualTo(16);
              });

      ServerFixture.Reply zh =
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"一张爵士之夜的海报\",\"size\":\"64x64\",\"references\":[{\"image\":\""
                  + png()
                  + "\",\"role\":\"style\",\"weight\":0.7}]}");
      assertThat(zh.status()).as(zh.body()).isEqualTo(200);
      assertThat(f.engine.prompts.get(1)).isEqualTo("一张爵士之夜的海报。严格参考上传图片的风格。");
    }
  }

  @Test
  void subjectAndCharacterReferencesKeepThePromptAsWritten() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply r =
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"the same girl reading in a cafe\",\"size\":\"64x64\",\"references\":["
                  + "{\"image\":\""
                  + png()
                  + "\",\"role\":\"character\"},{\"image\":\""
                  + png()
                  + "\",\"role\":\"object\",\"weight\":0.25}]}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(f.engine.prompts.get(0)).isEqualTo("the same girl reading in a cafe");
      assertThat(f.engine.references.get(0))
          .extracting(Reference::role, Reference::weight)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(Reference.Role.CHARACTER, 1.0),
              org.assertj.core.groups.Tuple.tuple(Reference.Role.OBJECT, 0.25));
    }
  }

  @Test
  void sessionsTakeReferencesWhenCreatedAndInEveryRound() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply created =
          f.post(
              "/v1/sessions",
              "{\"prompt\":\"a jazz poster\",\"size\":\"64x64\",\"reference_images\":[\""
                  + png()
                  + "\"]}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      assertThat(f.engine.prompts.get(0))
          .endsWith("Strictly follow the style of the reference image.");
      String id = created.json().string("id", "");
      ServerFixture.Reply round =
          f.post(
              "/v1/sessions/" + id + "/rounds",
              "{\"instruction\":\"make it brighter\",\"strength\":0.5,"
                  + "\"references\":[{\"image\":\""
                  + png()
                  + "\",\"role\":\"subject\",\"weight\":0.8}]}");
      assertThat(round.status()).as(round.body()).isEqualTo(200);
      assertThat(f.engine.references.get(1))
          .singleElement()
          .satisfies(r -> assertThat(r.role()).isEqualTo(Reference.Role.SUBJECT));
      assertThat(f.engine.prompts.get(1)).isEqualTo("make it brighter");
    }
  }

  @Test
  void badReferencesAre400sNamingTheFieldAndNothingRuns() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String img = png();
      String one = "{\"image\":\"" + img + "\"}";
      String five = (one + ",").repeat(4) + one;
      assertError(
          f.post("/v1/images/generations", "{\"prompt\":\"x\",\"references\":[" + five + "]}"),
          400,
          "references",
          "at most 4 reference images are accepted but 5 were sent");
      assertError(
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"x\",\"references\":[{\"image\":\"" + img + "\",\"weight\":1.5}]}"),
          400,
          "references[0].weight",
          "references[0].weight must be in 0..1 but was 1.5");
      assertError(
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"x\",\"references\":[{\"image\":\""
                  + img
                  + "\"},{\"role\":\"style\"}]}"),
          400,
          "references[1].image",
          "references[1].image is required");
      assertError(
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"x\",\"references\":[{\"image\":\"data:image/png;base64,AAAA\"}]}"),
          400,
          "references[0].image",
          "references[0].image");
      assertError(
          f.post("/v1/images/generations", "{\"prompt\":\"x\",\"references\":\"" + img + "\"}"),
          400,
          "references",
          "references must be a list");
      assertError(
          f.post("/v1/images/generations", "{\"prompt\":\"x\",\"references\":[42]}"),
          400,
          "references[0]",
          "references[0] must be an object");
      assertError(
          f.post("/v1/sessions", "{\"prompt\":\"x\",\"references\":[{\"role\":\"style\"}]}"),
          400,
          "references[0].image",
          "references[0].image is required");
      assertThat(f.engine.calls.get()).isZero();
    }
  }
}
