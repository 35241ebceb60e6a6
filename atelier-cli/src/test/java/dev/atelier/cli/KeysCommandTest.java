package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code atelier keys} end to end, and {@code serve}'s refusal to expose a server without keys. */
class KeysCommandTest {
  @TempDir Path data;

  record Run(int code, String out, String err) {}

  Run atelier(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AtelierCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void createListRevokeAgainstARunningServer() throws Exception {
    Run created =
        atelier(
            "keys",
            "create",
            "--name",
            "alice",
            "--owner",
            "team",
            "--scopes",
            "images",
            "--rpm",
            "30",
            "--images-per-day",
            "500",
            "--concurrent",
            "2",
            "--data-dir",
            data.toString());
    assertThat(created.code()).as(created.err()).isZero();
    String secret = created.out().strip();
    assertThat(created.out()).matches("atl_[0-9A-Za-z]{43}\\R");
    assertThat(created.err())
        .startsWith("created key alice (key_")
        .contains("owner team, prefix atl_" + secret.substring(4, 12))
        .contains("  scopes: images\n")
        .contains("  limits: 30/min, 500 images/day, 2 at once\n")
        .contains("shown once")
        .doesNotContain(secret);

    Run again = atelier("keys", "create", "--name", "alice", "--data-dir", data.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err())
        .isEqualTo(
            "atelier keys create: name: an active key is already named 'alice'; choose another name or"
                + " revoke that key first\n");
    assertThat(
            atelier(
                    "keys",
                    "create",
                    "--name",
                    "x",
                    "--scopes",
                    "root",
                    "--data-dir",
                    data.toString())
                .err())
        .isEqualTo(
            "atelier keys create: scopes must be among admin, images, sessions but included 'root'\n");

    // Exposed on every interface: allowed, since a key exists; keys stay required after revoking.
    ServeCommand serve = new ServeCommand();
    CommandLine cli = new CommandLine(serve);
    StringWriter banner = new StringWriter();
    cli.setOut(new PrintWriter(banner, true));
    Thread t =
        new Thread(
            () ->
                cli.execute(
                    "--host",
                    "0.0.0.0",
                    "--port",
                    "0",
                    "--data-dir",
                    data.toString(),
                    "--model",
                    AtelierCommandTest.model("tiny-sd")),
            "serve-under-test");
    t.start();
    try {
      assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(banner.toString()).isTrue();
      assertThat(banner.toString()).contains("keys:       required (1 active key)");
      String image =
          "http://127.0.0.1:" + serve.server.port() + "/v1/images/img_aaaaaaaaaaaaaaaaaaaaaaaa";
      assertThat(get(image, "")).isEqualTo(401);
      assertThat(get(image, secret)).isEqualTo(404);

      Run listed = atelier("keys", "list", "--data-dir", data.toString());
      assertThat(listed.out().lines().toList())
          .hasSize(2)
          .satisfies(
              lines -> {
                assertThat(lines.get(0))
                    .matches(
                        "NAME +ID +PREFIX +OWNER +SCOPES +LIMITS +CREATED +LAST USED +REVOKED");
                assertThat(lines.get(1))
                    .matches(
                        "alice +key_[a-z2-7]{24} +atl_"
                            + secret.substring(4, 12)
                            + " +team +images +30/min, 500 images/day, 2 at once +\\S+Z +\\S+Z +-");
              });
      assertThat(listed.out()).doesNotContain(secret);

      Run revoked = atelier("keys", "revoke", "alice", "--data-dir", data.toString());
      assertThat(revoked.out())
          .matches(
              "revoked alice \\(key_[a-z2-7]{24}\\); a running server refuses it within 2"
                  + " seconds\\R");
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (get(image, secret) != 401 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
      assertThat(get(image, secret)).isEqualTo(401);
      assertThat(get(image, ""))
          .as("no key left, still exposed: keys stay required")
          .isEqualTo(401);
    } finally {
      serve.stop.countDown();
      t.join(30_000);
    }
    assertThat(atelier("keys", "list", "--data-dir", data.toString()).out())
        .containsPattern("alice .* \\S+Z\\R");
    Run unknown = atelier("keys", "revoke", "alice", "--data-dir", data.toString());
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .isEqualTo(
            "atelier keys revoke: no active key is named or has the id 'alice' (see `atelier keys"
                + " list`)\n");
  }

  @Test
  void anExposedHostWithoutKeysIsRefusedUnlessAnonymousIsAllowedLoudly() throws Exception {
    Run refused =
        atelier("serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", data.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err())
        .contains("--host 0.0.0.0 is reachable from other machines and no API key exists")
        .contains("`atelier keys create --name NAME`")
        .contains("--allow-anonymous");

    PrintStream realErr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    ServeCommand serve = new ServeCommand();
    CommandLine cli = new CommandLine(serve);
    StringWriter banner = new StringWriter();
    cli.setOut(new PrintWriter(banner, true));
    Thread t =
        new Thread(
            () ->
                cli.execute(
                    "--host",
                    "0.0.0.0",
                    "--port",
                    "0",
                    "--allow-anonymous",
                    "--data-dir",
                    data.toString(),
                    "--model",
                    AtelierCommandTest.model("tiny-sd")),
            "serve-under-test");
    t.start();
    try {
      assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(banner.toString()).isTrue();
      assertThat(banner.toString()).contains("keys:       none required");
      String image =
          "http://127.0.0.1:" + serve.server.port() + "/v1/images/img_aaaaaaaaaaaaaaaaaaaaaaaa";
      assertThat(get(image, "")).isEqualTo(404);
    } finally {
      serve.stop.countDown();
      t.join(30_000);
      System.setErr(realErr);
    }
    assertThat(log.toString(StandardCharsets.UTF_8))
        .contains("WARN")
        .contains("--allow-anonymous: 0.0.0.0 is reachable from other machines and NO API KEY");
  }

  static int get(String url, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (!key.isEmpty()) {
      b.header("Authorization", "Bearer " + key);
    }
    return HttpClient.newHttpClient()
        .send(b.build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
