package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gallery's listings over real HTTP: newest first, paged with limit and after, 400s. */
class GalleryApiTest {
  @TempDir Path dir;

  private static List<JsonValue.Obj> data(ServerFixture.Reply r) {
    return r.json().array("data").stream().map(JsonValue::asObject).toList();
  }

  private static List<String> ids(ServerFixture.Reply r) {
    return data(r).stream().map(o -> o.string("id", "")).toList();
  }

  private static String generate(ServerFixture f, String prompt) throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"" + prompt + "\",\"size\":\"64x64\",\"response_format\":\"url\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().array("data").get(0).asObject().string("id", "");
  }

  @Test
  void imagesAreListedNewestFirstInPages() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply empty = f.get("/v1/images");
      assertThat(empty.status()).isEqualTo(200);
      assertThat(empty.body())
          .isEqualTo(
              "{\"object\":\"list\",\"data\":[],\"first_id\":null,\"last_id\":null,"
                  + "\"has_more\":false}");

      String a = generate(f, "a red cup");
      String b = generate(f, "a green cup");
      String c = generate(f, "a blue cup");

      ServerFixture.Reply first = f.get("/v1/images?limit=2");
      assertThat(first.status()).as(first.body()).isEqualTo(200);
      assertThat(first.json().string("object", "")).isEqualTo("list");
      assertThat(ids(first)).containsExactly(c, b);
      assertThat(first.json().string("first_id", "")).isEqualTo(c);
      assertThat(first.json().string("last_id", "")).isEqualTo(b);
      assertThat(first.json().bool("has_more", false)).isTrue();
      // Each item is what GET /v1/images/{id} says about it.
      assertThat(data(first).get(0)).isEqualTo(f.get("/v1/images/" + c).json());
      assertThat(data(first).get(0).object("provenance").orElseThrow().string("prompt", ""))
          .isEqualTo("a blue cup");

      ServerFixture.Reply next = f.get("/v1/images?limit=2&after=" + b);
      assertThat(ids(next)).containsExactly(a);
      assertThat(next.json().bool("has_more", true)).isFalse();
      assertThat(ids(f.get("/v1/images"))).containsExactly(c, b, a);
    }
  }

  @Test
  void sessionsAreListedNewestFirstAsSummaries() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply older = f.post("/v1/sessions", "{\"prompt\":\"a grey sofa\"}");
      assertThat(older.status()).as(older.body()).isEqualTo(201);
      String olderId = older.json().string("id", "");
      ServerFixture.Reply round =
          f.post(
              "/v1/sessions/" + olderId + "/rounds", "{\"instruction\":\"make the sofa green\"}");
      assertThat(round.status()).as(round.body()).isEqualTo(200);
      String head = round.json().object("round").orElseThrow().string("id", "");
      String headImage = round.json().object("round").orElseThrow().string("image_id", "");
      String newer =
          f.post("/v1/sessions", "{\"image\":\"" + headImage + "\"}").json().string("id", "");

      ServerFixture.Reply all = f.get("/v1/sessions");
      assertThat(all.status()).as(all.body()).isEqualTo(200);
      assertThat(ids(all)).containsExactly(newer, olderId);
      JsonValue.Obj summary = data(all).get(1);
      assertThat(summary.members().keySet())
          .containsExactly(
              "id",
              "object",
              "created_at",
              "prompt",
              "head",
              "current_image_id",
              "current_image_url",
              "round_count");
      assertThat(summary.string("object", "")).isEqualTo("session.summary");
      assertThat(summary.string("prompt", "")).isEqualTo("a grey sofa");
      assertThat(summary.string("head", "")).isEqualTo(head);
      assertThat(summary.string("current_image_id", "")).isEqualTo(headImage);
      assertThat(summary.string("current_image_url", ""))
          .startsWith(f.base() + "/v1/images/" + headImage + "/content?expires=")
          .contains("&sig=");
      assertThat(summary.number("round_count", 0)).isEqualTo(2);
      assertThat(summary.number("created_at", 0)).isEqualTo(older.json().number("created_at", -1));
      assertThat(data(all).get(0).string("prompt", "x")).isEmpty();
      assertThat(data(all).get(0).number("round_count", 0)).isEqualTo(1);

      ServerFixture.Reply page = f.get("/v1/sessions?limit=1");
      assertThat(ids(page)).containsExactly(newer);
      assertThat(page.json().bool("has_more", false)).isTrue();
      ServerFixture.Reply rest = f.get("/v1/sessions?limit=1&after=" + newer);
      assertThat(ids(rest)).containsExactly(olderId);
      assertThat(rest.json().bool("has_more", true)).isFalse();

      assertThat(f.delete("/v1/sessions/" + newer).status()).isEqualTo(200);
      assertThat(ids(f.get("/v1/sessions"))).containsExactly(olderId);
    }
  }

  @Test
  void badLimitOrAfterIsA400NamingIt() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      assertError(
          f.get("/v1/images?limit=0"), "limit", "limit must be an integer 1..100 but was '0'");
      assertError(
          f.get("/v1/sessions?limit=101"),
          "limit",
          "limit must be an integer 1..100 but was '101'");
      assertError(
          f.get("/v1/images?limit=ten"), "limit", "limit must be an integer 1..100 but was 'ten'");
      assertError(
          f.get("/v1/images?after=ses_aaaaaaaaaaaaaaaaaaaaaaaa"),
          "after",
          "after must be an image id (img_...) but was 'ses_aaaaaaaaaaaaaaaaaaaaaaaa'");
      assertError(
          f.get("/v1/sessions?after=nope"),
          "after",
          "after must be a session id (ses_...) but was 'nope'");
      assertError(
          f.get("/v1/images?after=img_aaaaaaaaaaaaaaaaaaaaaaaa"),
          "after",
          "after must be the id of a listed image but no image has id"
              + " 'img_aaaaaaaaaaaaaaaaaaaaaaaa'");
      assertError(
          f.get("/v1/sessions?after=ses_aaaaaaaaaaaaaaaaaaaaaaaa"),
          "after",
          "after must be the id of a listed session but no session has id"
              + " 'ses_aaaaaaaaaaaaaaaaaaaaaaaa'");
    }
  }

  @Test
  void modelsSayWhenTheDemoModelsRun() throws Exception {
    try (ServerFixture f = ServerFixture.demo(dir, dev.atelier.core.edit.LocalEditor.NO_GROUNDER)) {
      JsonValue.Obj model = f.get("/v1/models").json().array("data").get(0).asObject();
      assertThat(model.string("id", "")).isEqualTo("demo");
      assertThat(model.string("engine", "")).isEqualTo("local");
      assertThat(model.bool("demo", false)).isTrue();
    }
  }

  private static void assertError(ServerFixture.Reply r, String param, String message) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonValue.Obj error = r.json().object("error").orElseThrow();
    assertThat(error.string("param", "")).isEqualTo(param);
    assertThat(error.string("message", "")).isEqualTo(message);
    assertThat(error.string("type", "")).isEqualTo("invalid_request_error");
  }
}
