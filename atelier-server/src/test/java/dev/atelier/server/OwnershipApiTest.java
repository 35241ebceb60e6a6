package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.Ids;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-owner isolation over real HTTP: every route that names a session, round or image answers
 * another owner's id exactly as it answers an id that does not exist, listings hold only the
 * caller's rows, and an admin (or the anonymous caller of a keyless server) sees everything.
 * Callers come from the fixture's test header until API keys set them.
 */
class OwnershipApiTest {
  @TempDir Path dir;

  private ServerFixture f;
  private String bobSession;
  private String bobRoot;
  private String bobRound;
  private String bobImage;
  private String aliceImage;

  @BeforeEach
  void twoOwners() throws Exception {
    f = ServerFixture.withTestCallers(dir);
    ServerFixture.Reply s = f.as("bob", "POST", "/v1/sessions", "{\"prompt\":\"a grey sofa\"}");
    assertThat(s.status()).as(s.body()).isEqualTo(201);
    bobSession = s.json().string("id", "");
    bobRoot = s.json().string("head", "");
    ServerFixture.Reply r =
        f.as(
            "bob",
            "POST",
            "/v1/sessions/" + bobSession + "/rounds",
            "{\"instruction\":\"make the sofa green\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    bobRound = r.json().object("round").orElseThrow().string("id", "");
    bobImage = generate("bob", "a red cup");
    aliceImage = generate("alice", "a blue cup");
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    f.close();
  }

  private String generate(String owner, String prompt) throws Exception {
    ServerFixture.Reply r =
        f.as(
            owner,
            "POST",
            "/v1/images/generations",
            "{\"prompt\":\"" + prompt + "\",\"size\":\"64x64\",\"response_format\":\"url\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().array("data").get(0).asObject().string("id", "");
  }

  private static List<String> ids(ServerFixture.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().array("data").stream().map(v -> v.asObject().string("id", "")).toList();
  }

  /**
   * Alice's request naming bob's {@code id} gets a 404 byte for byte like the same request naming a
   * well-formed id that does not exist.
   */
  private void hiddenFromAlice(String method, String pathOrBody, String id, String json)
      throws Exception {
    String missing = Ids.newId(id.substring(0, 3));
    ServerFixture.Reply theirs = f.as("alice", method, pathOrBody, json);
    ServerFixture.Reply none =
        f.as(
            "alice",
            method,
            pathOrBody.replace(id, missing),
            json == null ? null : json.replace(id, missing));
    assertThat(none.status()).as(method + " " + pathOrBody + ": " + none.body()).isIn(400, 404);
    assertThat(theirs.status()).as(method + " " + pathOrBody).isEqualTo(none.status());
    assertThat(theirs.body().replace(id, missing))
        .as(method + " " + pathOrBody)
        .isEqualTo(none.body());
  }

  @Test
  void aliceCannotReachBobsSessionOnAnyRoute() throws Exception {
    String s = "/v1/sessions/" + bobSession;
    hiddenFromAlice("GET", s, bobSession, null);
    hiddenFromAlice("POST", s + "/rounds", bobSession, "{\"instruction\":\"make it red\"}");
    hiddenFromAlice("POST", s + "/undo", bobSession, "");
    hiddenFromAlice("POST", s + "/checkout", bobSession, "{\"round_id\":\"" + bobRoot + "\"}");
    hiddenFromAlice("POST", s + "/restart", bobSession, "{}");
    hiddenFromAlice("POST", s + "/restart", bobSession, "{\"dry_run\":true}");
    hiddenFromAlice(
        "POST",
        "/v1/images/edits",
        bobSession,
        "{\"prompt\":\"make it red\",\"session\":\"" + bobSession + "\"}");
    hiddenFromAlice("GET", "/v1/images?session=" + bobSession, bobSession, null);
    hiddenFromAlice("GET", "/v1/sessions?after=" + bobSession, bobSession, null);
    hiddenFromAlice("DELETE", s, bobSession, null);
  }

  @Test
  void aliceCannotReadDownloadListOrUseBobsImages() throws Exception {
    hiddenFromAlice("GET", "/v1/images/" + bobImage, bobImage, null);
    hiddenFromAlice("GET", "/v1/images/" + bobImage + "/content", bobImage, null);
    hiddenFromAlice("GET", "/v1/images?after=" + bobImage, bobImage, null);
    hiddenFromAlice(
        "POST",
        "/v1/images/edits",
        bobImage,
        "{\"prompt\":\"make it red\",\"image\":\"" + bobImage + "\"}");
    hiddenFromAlice("POST", "/v1/images/variations", bobImage, "{\"image\":\"" + bobImage + "\"}");
    hiddenFromAlice("POST", "/v1/sessions", bobImage, "{\"image\":\"" + bobImage + "\"}");
    hiddenFromAlice(
        "POST",
        "/v1/images/generations",
        bobImage,
        "{\"prompt\":\"a chair\",\"references\":[{\"image\":\"" + bobImage + "\"}]}");
    String aliceSession =
        f.as("alice", "POST", "/v1/sessions", "{\"prompt\":\"a cup\"}").json().string("id", "");
    hiddenFromAlice(
        "POST",
        "/v1/sessions/" + aliceSession + "/rounds",
        bobImage,
        "{\"instruction\":\"make it red\",\"references\":[{\"image\":\"" + bobImage + "\"}]}");
  }

  @Test
  void bobsSessionIsUntouchedByAlicesAttempts() throws Exception {
    String s = "/v1/sessions/" + bobSession;
    f.as("alice", "POST", s + "/undo", "");
    f.as("alice", "POST", s + "/checkout", "{\"round_id\":\"" + bobRoot + "\"}");
    f.as("alice", "POST", s + "/rounds", "{\"instruction\":\"make it red\"}");
    f.as("alice", "POST", s + "/restart", "{}");
    f.as("alice", "DELETE", s, null);

    ServerFixture.Reply after = f.as("bob", "GET", s, null);
    assertThat(after.status()).as(after.body()).isEqualTo(200);
    assertThat(after.json().string("head", "")).isEqualTo(bobRound);
    assertThat(after.json().array("rounds")).hasSize(2);
    assertThat(ids(f.as("alice", "GET", "/v1/images", null))).containsExactly(aliceImage);
  }

  @Test
  void listingsHoldOnlyTheCallersRows() throws Exception {
    String aliceSession =
        f.as("alice", "POST", "/v1/sessions", "{\"prompt\":\"a cup\"}").json().string("id", "");

    assertThat(ids(f.as("alice", "GET", "/v1/sessions", null))).containsExactly(aliceSession);
    assertThat(ids(f.as("bob", "GET", "/v1/sessions", null))).containsExactly(bobSession);
    assertThat(ids(f.as("carol", "GET", "/v1/sessions", null))).isEmpty();
    assertThat(ids(f.as("carol", "GET", "/v1/images", null))).isEmpty();

    List<String> alices = ids(f.as("alice", "GET", "/v1/images", null));
    assertThat(alices).hasSize(2).contains(aliceImage).doesNotContain(bobImage);
    List<String> bobs = ids(f.as("bob", "GET", "/v1/images", null));
    assertThat(bobs).hasSize(3).contains(bobImage).doesNotContain(aliceImage);
    // Paging stays within the owner's rows: a full page when more of them follow.
    ServerFixture.Reply page = f.as("bob", "GET", "/v1/images?limit=2", null);
    assertThat(ids(page)).containsExactlyElementsOf(bobs.subList(0, 2));
    assertThat(page.json().bool("has_more", false)).isTrue();
    assertThat(ids(f.as("bob", "GET", "/v1/images?limit=2&after=" + bobs.get(1), null)))
        .containsExactly(bobs.get(2));

    // One session's images: the root's and the round's, newest first.
    ServerFixture.Reply session = f.as("bob", "GET", "/v1/images?session=" + bobSession, null);
    assertThat(ids(session)).hasSize(2).doesNotContain(bobImage);
    assertThat(ids(f.as("alice", "GET", "/v1/images?session=" + aliceSession, null)))
        .hasSize(1)
        .doesNotContain(aliceImage);
  }

  @Test
  void anAdminAndTheAnonymousCallerSeeEveryOwnersRows() throws Exception {
    String aliceSession =
        f.as("alice", "POST", "/v1/sessions", "{\"prompt\":\"a cup\"}").json().string("id", "");
    for (String who : new String[] {"admin", ""}) {
      assertThat(ids(f.as(who, "GET", "/v1/sessions", null)))
          .as(who)
          .containsExactly(aliceSession, bobSession);
      assertThat(ids(f.as(who, "GET", "/v1/images", null)))
          .as(who)
          .hasSize(5)
          .contains(aliceImage, bobImage);
      assertThat(f.as(who, "GET", "/v1/images/" + bobImage, null).status()).isEqualTo(200);
      assertThat(f.as(who, "GET", "/v1/images/" + bobImage + "/content", null).status())
          .isEqualTo(200);
      assertThat(ids(f.as(who, "GET", "/v1/images?session=" + bobSession, null))).hasSize(2);
      assertThat(f.as(who, "GET", "/v1/sessions/" + bobSession, null).status()).isEqualTo(200);
    }
    String s = "/v1/sessions/" + bobSession;
    assertThat(f.as("admin", "POST", s + "/undo", "").status()).isEqualTo(200);
    assertThat(
            f.as("admin", "POST", s + "/checkout", "{\"round_id\":\"" + bobRound + "\"}").status())
        .isEqualTo(200);
    ServerFixture.Reply round =
        f.as("admin", "POST", s + "/rounds", "{\"instruction\":\"make it red\"}");
    assertThat(round.status()).as(round.body()).isEqualTo(200);
    assertThat(
            f.as("admin", "POST", "/v1/images/variations", "{\"image\":\"" + bobImage + "\"}")
                .status())
        .isEqualTo(200);
    assertThat(f.as("admin", "DELETE", s, null).status()).isEqualTo(200);
    assertThat(f.as("bob", "GET", s, null).status()).isEqualTo(404);
  }

  @Test
  void whatACallerMakesRecordsItsOwner() throws Exception {
    assertThat(f.metadata.image(aliceImage).orElseThrow().owner()).isEqualTo("alice");
    assertThat(f.metadata.image(bobImage).orElseThrow().owner()).isEqualTo("bob");
    var session = f.metadata.session(bobSession).orElseThrow();
    assertThat(session.owner()).isEqualTo("bob");
    for (var r : session.rounds()) {
      assertThat(f.metadata.image(r.imageId()).orElseThrow().owner()).isEqualTo("bob");
    }
    String anonymous = generate("", "a green cup");
    assertThat(f.metadata.image(anonymous).orElseThrow().owner()).isEmpty();
    JsonValue.Obj made =
        f.as(
                "alice",
                "POST",
                "/v1/images/edits",
                "{\"prompt\":\"make it red\",\"image\":\""
                    + aliceImage
                    + "\",\"response_format\":\"url\"}")
            .json();
    String edited = made.array("data").get(0).asObject().string("id", "");
    assertThat(f.metadata.image(edited).orElseThrow().owner()).isEqualTo("alice");
  }
}
