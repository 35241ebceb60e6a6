package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart as the guide does it, over HTTP: the first prompt rewritten with each round's plan,
 * undone and structural rounds left out with a warning each, the session's own parameters, dry runs
 * that store nothing, and sessions created from an image with a prompt.
 */
class SessionRestartApiTest {
  @TempDir Path dir;

  private static String round(ServerFixture f, String id, String instruction) throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/sessions/" + id + "/rounds",
            "{\"instruction\":" + dev.atelier.core.json.Json.quote(instruction) + ",\"seed\":2}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().object("round").orElseThrow().string("id", "");
  }

  private static List<String> strings(JsonValue.Obj o, String key) {
    return o.array(key).stream().map(JsonValue::asString).toList();
  }

  private long blobFiles() throws Exception {
    try (var s = Files.walk(dir.resolve("blobs"))) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void dryRunMergesAsTheGuideDoesAndStoresNothing() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply created =
          f.post(
              "/v1/sessions",
              "{\"prompt\":\"a modern living room with a light grey sofa\",\"seed\":1,"
                  + "\"steps\":7,\"guidance\":5.5,\"scheduler\":\"euler\"}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String id = created.json().string("id", "");
      String sofa = round(f, id, "change the sofa to deep emerald green");
      String cup = round(f, id, "make the cup matte dark green");
      assertThat(f.post("/v1/sessions/" + id + "/undo", "").status()).isEqualTo(200);
      String portrait = round(f, id, "turn it into a portrait orientation with three people");
      String lamp = round(f, id, "make the lamp brighter");

      JsonValue.Obj before = f.get("/v1/sessions/" + id).json();
      int blobsBefore = f.metadata.referencedBlobs().size();
      long filesBefore = blobFiles();
      int callsBefore = f.engine.calls.get();

      ServerFixture.Reply dry = f.post("/v1/sessions/" + id + "/restart", "{\"dry_run\":true}");

      assertThat(dry.status()).as(dry.body()).isEqualTo(200);
      JsonValue.Obj d = dry.json();
      assertThat(d.bool("dry_run", false)).isTrue();
      assertThat(d.string("merged_prompt", ""))
          .isEqualTo("a modern living room with a deep emerald green sofa, with a brighter lamp");
      assertThat(strings(d, "merged_rounds")).containsExactly(sofa, lamp);
      assertThat(d.array("omitted_rounds"))
          .extracting(v -> v.asObject().string("round_id", ""))
          .containsExactly(cup, portrait);
      assertThat(strings(d, "warnings")).hasSize(2);
      assertThat(strings(d, "warnings").get(0))
          .contains(cup, "make the cup matte dark green", "undone");
      assertThat(strings(d, "warnings").get(1))
          .contains(portrait, "turn it into a portrait orientation with three people")
          .contains("orientation", "structural");
      JsonValue.Obj p = d.object("parameters").orElseThrow();
      assertThat(p.number("steps", -1)).isEqualTo(7);
      assertThat(p.number("guidance", -1)).isEqualTo(5.5);
      assertThat(p.string("scheduler", "")).isEqualTo("euler");
      assertThat(p.number("seed", -1)).isEqualTo(1);
      // Nothing stored: no round, no image row, no blob, head where it was, no engine call.
      JsonValue.Obj after = f.get("/v1/sessions/" + id).json();
      assertThat(after.string("head", "")).isEqualTo(before.string("head", "")).isEqualTo(lamp);
      assertThat(after.array("rounds")).hasSameSizeAs(before.array("rounds"));
      assertThat(f.metadata.referencedBlobs()).hasSize(blobsBefore);
      assertThat(blobFiles()).isEqualTo(filesBefore);
      assertThat(f.engine.calls.get()).isEqualTo(callsBefore);
    }
  }

  @Test
  void restartRendersWithTheSessionsParametersUnlessTheBodyOverridesThem() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String id =
          f.post(
                  "/v1/sessions",
                  "{\"prompt\":\"a modern living room with a light grey sofa\",\"seed\":11,"
                      + "\"steps\":7,\"scheduler\":\"euler\"}")
              .json()
              .string("id", "");
      round(f, id, "change the sofa to deep emerald green, keep everything else unchanged");

      ServerFixture.Reply restarted = f.post("/v1/sessions/" + id + "/restart", "");
      assertThat(restarted.status()).as(restarted.body()).isEqualTo(200);
      JsonValue.Obj round = restarted.json().object("round").orElseThrow();
      JsonValue.Obj params = round.object("params").orElseThrow();
      assertThat(params.string("steps", "")).isEqualTo("7");
      assertThat(params.string("scheduler", "")).isEqualTo("euler");
      assertThat(params.string("seed", "")).isEqualTo("11");
      assertThat(round.string("instruction", ""))
          .isEqualTo("a modern living room with a deep emerald green sofa");
      assertThat(restarted.json().string("merged_prompt", ""))
          .isEqualTo(round.string("instruction", ""));
      assertThat(restarted.json().array("warnings")).isEmpty();

      // The restart round carries the session's parameters to the next restart of its chain;
      // fields in the body still win.
      round(f, id, "make the lamp brighter");
      ServerFixture.Reply again =
          f.post("/v1/sessions/" + id + "/restart", "{\"steps\":3,\"seed\":4}");
      assertThat(again.status()).as(again.body()).isEqualTo(200);
      JsonValue.Obj p2 = again.json().object("round").orElseThrow().object("params").orElseThrow();
      assertThat(p2.string("steps", "")).isEqualTo("3");
      assertThat(p2.string("seed", "")).isEqualTo("4");
      assertThat(p2.string("scheduler", "")).isEqualTo("euler");
      assertThat(again.json().string("merged_prompt", ""))
          .isEqualTo("a modern living room with a deep emerald green sofa, with a brighter lamp");
    }
  }

  @Test
  void chineseRoundsRewriteAChinesePrompt() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String id =
          f.post("/v1/sessions", "{\"prompt\":\"一间现代风格的客厅,浅灰色沙发,落地窗\"}").json().string("id", "");
      round(f, id, "把沙发颜色从浅灰色改为深宝石绿,保持其他完全不变");
      round(f, id, "改成俯视视角");
      ServerFixture.Reply dry = f.post("/v1/sessions/" + id + "/restart", "{\"dry_run\":true}");
      assertThat(dry.status()).as(dry.body()).isEqualTo(200);
      assertThat(dry.json().string("merged_prompt", "")).isEqualTo("一间现代风格的客厅，深宝石绿沙发，落地窗");
      assertThat(strings(dry.json(), "warnings"))
          .singleElement()
          .asString()
          .contains("改成俯视视角", "viewpoint");
    }
  }

  @Test
  void aSessionFromAnImageWithAPromptKeepsThePromptForRestarts() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String image = LocalEditApiTest.b64(LocalEditApiTest.noise(64, 48, 3));
      ServerFixture.Reply json =
          f.post(
              "/v1/sessions",
              "{\"image\":\""
                  + image
                  + "\",\"prompt\":\"a modern living room with a light grey sofa\",\"steps\":6}");
      assertThat(json.status()).as(json.body()).isEqualTo(201);
      String id = json.json().string("id", "");
      assertThat(SessionsApiTest.rounds(json.json()).get(0).string("instruction", ""))
          .isEqualTo("a modern living room with a light grey sofa");
      round(f, id, "change the sofa to deep emerald green");
      ServerFixture.Reply dry = f.post("/v1/sessions/" + id + "/restart", "{\"dry_run\":true}");
      assertThat(dry.status()).as(dry.body()).isEqualTo(200);
      assertThat(dry.json().string("merged_prompt", ""))
          .isEqualTo("a modern living room with a deep emerald green sofa");
      assertThat(dry.json().object("parameters").orElseThrow().number("steps", -1)).isEqualTo(6);

      String multipartId = createMultipart(f, "一间现代风格的客厅,浅灰色沙发");
      round(f, multipartId, "把沙发颜色从浅灰色改为深宝石绿");
      ServerFixture.Reply zh =
          f.post("/v1/sessions/" + multipartId + "/restart", "{\"dry_run\":true}");
      assertThat(zh.status()).as(zh.body()).isEqualTo(200);
      assertThat(zh.json().string("merged_prompt", "")).isEqualTo("一间现代风格的客厅，深宝石绿沙发");

      // Without a prompt and without rounds there is still nothing to merge.
      String bare = f.post("/v1/sessions", "{\"image\":\"" + image + "\"}").json().string("id", "");
      ServerFixture.Reply none = f.post("/v1/sessions/" + bare + "/restart", "{\"dry_run\":true}");
      assertThat(none.status()).isEqualTo(400);
      assertThat(none.body()).contains("nothing to consolidate");
    }
  }

  /** Creates a session the way OpenAI's SDKs send edits: multipart with an image file. */
  private static String createMultipart(ServerFixture f, String prompt) throws Exception {
    String boundary = "atelier-test-boundary";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n"
                + prompt
                + "\r\n--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"in.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.write(ImagesApiTest.png(LocalEditApiTest.noise(64, 48, 4)));
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r =
        f.http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/sessions"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    ServerFixture.assertStrictJson(r.body());
    return dev.atelier.core.json.Json.parse(r.body()).asObject().string("id", "");
  }
}
