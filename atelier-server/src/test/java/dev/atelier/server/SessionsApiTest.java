package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import dev.atelier.server.http.Routes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session story over real HTTP: rounds, undo, branch, restart, durability. */
class SessionsApiTest {
  @TempDir Path dir;

  static List<JsonValue.Obj> rounds(JsonValue.Obj session) {
    return session.array("rounds").stream().map(JsonValue::asObject).toList();
  }

  @Test
  void createThreeRoundsUndoBranchAndRestart() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply created =
          f.post(
              "/v1/sessions",
              "{\"prompt\":\"a modern living room with a light grey sofa\",\"seed\":1}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String id = created.json().string("id", "");
      String root = created.json().string("head", "");

      String r1 =
          round(
              f,
              id,
              "change the sofa from light grey to deep emerald green, keep everything else unchanged");
      String r2 = round(f, id, "make the cup matte dark green");
      ServerFixture.Reply third =
          f.post(
              "/v1/sessions/" + id + "/rounds",
              "{\"instruction\":\"replace the table with white marble\"}");
      assertThat(third.status()).as(third.body()).isEqualTo(200);
      String r3 = third.json().object("round").orElseThrow().string("id", "");
      assertThat(third.json().object("round").orElseThrow().number("rounds_since_restart", -1))
          .isEqualTo(3);

      ServerFixture.Reply undone = f.post("/v1/sessions/" + id + "/undo", "");
      assertThat(undone.json().string("head", "")).isEqualTo(r2);

      ServerFixture.Reply checkedOut =
          f.post("/v1/sessions/" + id + "/checkout", "{\"round_id\":\"" + r1 + "\"}");
      assertThat(checkedOut.json().string("head", "")).isEqualTo(r1);
      String branch = round(f, id, "将墙面改为米白色,保持其他不变");

      JsonValue.Obj tree = f.get("/v1/sessions/" + id).json();
      assertThat(rounds(tree))
          .extracting(r -> r.string("id", ""))
          .containsExactly(root, r1, r2, r3, branch);
      assertThat(rounds(tree).get(4).string("parent", "")).isEqualTo(r1);
      assertThat(rounds(tree).get(2).string("parent", "")).isEqualTo(r1);
      assertThat(tree.string("head", "")).isEqualTo(branch);

      ServerFixture.Reply restarted = f.post("/v1/sessions/" + id + "/restart", "{\"seed\":5}");
      assertThat(restarted.status()).as(restarted.body()).isEqualTo(200);
      JsonValue.Obj round = restarted.json().object("round").orElseThrow();
      assertThat(round.string("kind", "")).isEqualTo("restart");
      assertThat(round.number("rounds_since_restart", -1)).isEqualTo(0);
      String merged = round.string("instruction", "");
      // The guide's merge: the round's from->to rewrites the first prompt instead of being
      // appended.
      assertThat(merged).contains("with a deep emerald green sofa").doesNotContain("light grey");
      assertThat(restarted.json().object("session").orElseThrow().string("head", ""))
          .isEqualTo(round.string("id", ""));
    }
  }

  private static String round(ServerFixture f, String id, String instruction) throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/sessions/" + id + "/rounds",
            "{\"instruction\":\"" + instruction + "\",\"seed\":2}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().object("round").orElseThrow().string("id", "");
  }

  @Test
  void warningsAfterFourRoundsAndOnStructuralChanges() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String id =
          f.post("/v1/sessions", "{\"prompt\":\"a cup on a table\"}").json().string("id", "");
      for (int i = 0; i < 4; i++) {
        ServerFixture.Reply r =
            f.post("/v1/sessions/" + id + "/rounds", "{\"instruction\":\"make the cup darker\"}");
        // Without a grounding model the server says the whole image was re-rendered; nothing else.
        assertThat(r.json().array("warnings"))
            .extracting(JsonValue::asString)
            .containsExactly(Routes.NO_GROUNDING_WARNING);
      }
      ServerFixture.Reply fifth =
          f.post("/v1/sessions/" + id + "/rounds", "{\"instruction\":\"make the cup darker\"}");
      assertThat(fifth.json().array("warnings")).hasSize(2);
      ServerFixture.Reply structural =
          f.post("/v1/sessions/" + id + "/rounds", "{\"instruction\":\"改成俯视视角\"}");
      assertThat(structural.json().array("warnings").toString()).containsIgnoringCase("session");
    }
  }

  @Test
  void undoAtTheFirstRoundIsAClearError() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String id = f.post("/v1/sessions", "{\"prompt\":\"a cup\"}").json().string("id", "");
      ServerFixture.Reply r = f.post("/v1/sessions/" + id + "/undo", "");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().object("error").orElseThrow().string("message", ""))
          .contains("nothing to undo");
      ServerFixture.Reply bad =
          f.post("/v1/sessions/" + id + "/checkout", "{\"round_id\":\"rnd_nope\"}");
      assertThat(bad.status()).isEqualTo(404);
    }
  }

  @Test
  void editsWithASessionFieldContinueTheSession() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String id = f.post("/v1/sessions", "{\"prompt\":\"a cup\"}").json().string("id", "");
      ServerFixture.Reply r =
          f.post("/v1/images/edits", "{\"prompt\":\"make it red\",\"session\":\"" + id + "\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().array("data")).hasSize(1);
      assertThat(rounds(f.get("/v1/sessions/" + id).json())).hasSize(2);
    }
  }

  @Test
  void sessionsAndImagesSurviveARestartAndOrphanBlobsAreSwept() throws Exception {
    String id;
    String imageId;
    try (ServerFixture f = new ServerFixture(dir)) {
      id = f.post("/v1/sessions", "{\"prompt\":\"a cup\"}").json().string("id", "");
      imageId =
          f.post("/v1/sessions/" + id + "/rounds", "{\"instruction\":\"make it red\"}")
              .json()
              .object("round")
              .orElseThrow()
              .string("image_id", "");
      // What a crash between writing a blob and committing its row leaves behind:
      f.blobs.put("orphan bytes".getBytes());
    }
    long blobsBefore;
    try (var s = Files.walk(dir.resolve("blobs"))) {
      blobsBefore = s.filter(Files::isRegularFile).count();
    }
    try (ServerFixture f = new ServerFixture(dir)) {
      JsonValue.Obj session = f.get("/v1/sessions/" + id).json();
      assertThat(rounds(session)).as(session.toString()).hasSize(2);
      assertThat(f.get("/v1/images/" + imageId).status()).isEqualTo(200);
      assertThat(f.bytes(f.base() + "/v1/images/" + imageId + "/content")).isNotEmpty();
      long after;
      try (var s = Files.walk(dir.resolve("blobs"))) {
        after = s.filter(Files::isRegularFile).count();
      }
      assertThat(after).as("blob files after the restart's sweep").isEqualTo(blobsBefore - 1);
      assertThat(f.delete("/v1/sessions/" + id).status()).isEqualTo(200);
      ServerFixture.Reply gone = f.get("/v1/sessions/" + id);
      assertThat(gone.status()).as(gone.body()).isEqualTo(404);
    }
  }

  @Test
  void anEmptyRoundNamesInstruction() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String session =
          f.post("/v1/sessions", "{\"prompt\":\"a red cup\",\"seed\":1}").json().string("id", "");
      ServerFixture.Reply r = f.post("/v1/sessions/" + session + "/rounds", "{}");
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      JsonValue.Obj e = r.json().object("error").orElseThrow();
      assertThat(e.string("param", "")).isEqualTo("instruction");
      assertThat(e.string("message", ""))
          .isEqualTo(
              "instruction is required: what to change in the session's current image (prompt is"
                  + " accepted as its alias)");
      ServerFixture.Reply alias =
          f.post("/v1/sessions/" + session + "/rounds", "{\"prompt\":\"make the cup blue\"}");
      assertThat(alias.status()).as(alias.body()).isEqualTo(200);
    }
  }
}
