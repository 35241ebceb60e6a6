package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.jobs.JobRunner;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on the wire: {@code Prefer: respond-async} on every image-producing route answers {@code
 * 202} with an image.job whose result is, once complete, what the waiting call answers; another
 * owner's job is a 404 like a missing one; a failed job carries the error the waiting call gets.
 */
class JobsApiTest {
  private static final Pattern JOB_ID = Pattern.compile("job_[a-z2-7]{24}");

  /** An id of Atelier's shape ({@code img_...}, {@code ses_...}, {@code rnd_...}). */
  private static final Pattern ANY_ID = Pattern.compile("[a-z][a-z0-9]{0,15}_[a-z2-7]{24}");

  @TempDir Path dir;
  ServerFixture f;
  JobClient jobs;

  @BeforeEach
  void start() {
    f =
        ServerFixture.withTestCallers(
            dir,
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withJobs(JobRunner.Settings.DEFAULT.withWorkers(1)));
    jobs = new JobClient(f);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  static String dataUrl(byte[] png) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }

  static byte[] noisePng(long seed) throws Exception {
    return ImagesApiTest.png(LocalEditApiTest.noise(64, 48, seed));
  }

  @Test
  void respondAsyncOnEveryImageRouteIsA202JobWhoseResultIsTheWaitingAnswer() throws Exception {
    String generation =
        "{\"prompt\":\"a white ceramic cup\",\"n\":2,\"size\":\"64x64\",\"seed\":7,\"steps\":3}";
    compare("/v1/images/generations", generation, "image_generation", 2, 200);

    Map<String, String> edit = new LinkedHashMap<>();
    edit.put("prompt", "make it warmer");
    edit.put("seed", "3");
    edit.put("steps", "3");
    byte[] image = noisePng(4);
    HttpResponse<String> syncEdit =
        jobs.sendMultipart(
            "alice", "/v1/images/edits", JobClient.Multipart.of(edit, "image", image));
    HttpResponse<String> asyncEdit =
        jobs.sendMultipart(
            "alice",
            "/v1/images/edits",
            JobClient.Multipart.of(edit, "image", image),
            "Prefer",
            "respond-async");
    compare(syncEdit, asyncEdit, "image_edit", 1, 200);

    compare(
        "/v1/images/variations",
        "{\"image\":\"" + dataUrl(noisePng(5)) + "\",\"n\":2,\"seed\":9,\"steps\":3}",
        "image_variation",
        2,
        200);

    String session = "{\"prompt\":\"a modern living room with a light grey sofa\",\"seed\":1}";
    compare("/v1/sessions", session, "session_create", 1, 201);

    // Rounds and restarts change their session: each answer gets a session of its own, alike.
    String waiting = createdSession(session);
    String queued = createdSession(session);
    String round =
        "{\"instruction\":\"change the sofa from light grey to deep emerald green\",\"seed\":2}";
    compare(
        jobs.send("alice", "POST", "/v1/sessions/" + waiting + "/rounds", round),
        jobs.async("alice", "/v1/sessions/" + queued + "/rounds", round),
        "session_round",
        1,
        200);
    compare(
        jobs.send("alice", "POST", "/v1/sessions/" + waiting + "/restart", "{\"seed\":5}"),
        jobs.async("alice", "/v1/sessions/" + queued + "/restart", "{\"seed\":5}"),
        "session_restart",
        1,
        200);
  }

  private String createdSession(String body) throws Exception {
    HttpResponse<String> r = jobs.send("alice", "POST", "/v1/sessions", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JobClient.json(r).string("id", "");
  }

  private void compare(String path, String body, String kind, int n, int status) throws Exception {
    compare(
        jobs.send("alice", "POST", path, body), jobs.async("alice", path, body), kind, n, status);
  }

  /**
   * {@code async} is a 202 image.job of {@code kind} for {@code n} images; once complete its result
   * equals {@code waiting}'s body (a {@code status} answer) apart from ids, URLs and times.
   */
  private void compare(
      HttpResponse<String> waiting, HttpResponse<String> async, String kind, int n, int status)
      throws Exception {
    assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(status);
    assertThat(async.statusCode()).as(async.body()).isEqualTo(202);
    JsonValue.Obj job = JobClient.json(async);
    String id = job.string("id", "");
    assertThat(id).matches(JOB_ID);
    assertThat(async.headers().firstValue("Location")).hasValue("/v1/jobs/" + id);
    assertThat(job.string("object", "")).isEqualTo("image.job");
    assertThat(job.string("kind", "")).isEqualTo(kind);
    assertThat(job.string("status", "")).isIn("queued", "in_progress", "completed");
    assertThat(job.get("created_at").orElseThrow()).isInstanceOf(JsonValue.Num.class);
    assertThat(job.number("created_at", 0))
        .isBetween(Instant.now().getEpochSecond() - 60.0, Instant.now().getEpochSecond() + 1.0);
    JsonValue.Obj progress = job.object("progress").orElseThrow();
    assertThat(progress.members().keySet()).containsExactly("step", "steps", "images_done", "n");
    assertThat(progress.number("n", -1)).isEqualTo(n);
    assertThat(job.members()).containsKey("queue_position");
    JsonValue position = job.get("queue_position").orElseThrow();
    assertThat(position instanceof JsonValue.Null || position instanceof JsonValue.Num)
        .as("queue_position " + position)
        .isTrue();
    assertThat(job.get("error").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
    assertThat(job.members()).containsKey("result");
    if (!job.string("status", "").equals("completed")) {
      assertThat(job.get("result").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
    }

    JsonValue.Obj done = jobs.awaitStatus("alice", id, "completed");
    assertThat(done.get("error").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
    assertThat(done.object("progress").orElseThrow().number("images_done", -1)).isEqualTo(n);
    JsonValue result = done.get("result").orElseThrow();
    assertThat(result).isInstanceOf(JsonValue.Obj.class);
    assertThat(ApiShapes.normalized(result))
        .as("%s: the job's result against the waiting answer %s", kind, waiting.body())
        .isEqualTo(ApiShapes.normalized(JobClient.json(waiting)));
  }

  /** Compares answers apart from what differs by nature between two runs. */
  static final class ApiShapes {
    private ApiShapes() {}

    /**
     * {@code v} with ids, URLs and times replaced by placeholders: what two answers to the same
     * request (same seed) must share.
     */
    static JsonValue normalized(JsonValue v) {
      return switch (v) {
        case JsonValue.Str s -> {
          String t = s.value();
          if (t.startsWith("iVBORw0KGgo")) {
            yield png(Base64.getDecoder().decode(t));
          }
          if (t.startsWith("http://") || t.startsWith("https://")) {
            yield new JsonValue.Str("<url>");
          }
          yield new JsonValue.Str(ANY_ID.matcher(t).replaceAll("<id>"));
        }
        case JsonValue.Arr a ->
            new JsonValue.Arr(a.items().stream().map(ApiShapes::normalized).toList());
        case JsonValue.Obj o -> {
          Map<String, JsonValue> m = new LinkedHashMap<>();
          o.members()
              .forEach(
                  (k, x) ->
                      m.put(
                          k,
                          k.equals("created") || k.endsWith("_at")
                              ? new JsonValue.Str("<time>")
                              : normalized(x)));
          yield new JsonValue.Obj(m);
        }
        default -> v;
      };
    }

    /**
     * A PNG as what must match: its pixels and its text chunks, without the provenance's {@code
     * elapsed_ms} (how long the engine took differs from run to run).
     */
    private static JsonValue png(byte[] png) {
      Map<String, JsonValue> m = new LinkedHashMap<>();
      RgbImage image = ImageCodec.decode(png, ImageLimits.DEFAULT);
      m.put("size", new JsonValue.Str(image.width() + "x" + image.height()));
      m.put("pixels", new JsonValue.Str(Integer.toHexString(Arrays.hashCode(image.rgb()))));
      ImageCodec.readPngText(png)
          .forEach(
              (k, text) ->
                  m.put(
                      "text " + k,
                      new JsonValue.Str(
                          text.replaceAll(
                              "\"elapsed_ms\":\"[0-9]+\"", "\"elapsed_ms\":\"<ms>\""))));
      return new JsonValue.Obj(m);
    }
  }

  @Test
  void anotherOwnersJobIsA404LikeAMissingOneAndListsShowOnlyOwnJobs() throws Exception {
    String alices =
        jobs.queued("alice", "/v1/images/generations", "{\"prompt\":\"a cup\",\"steps\":2}")
            .string("id", "");
    jobs.awaitStatus("alice", alices, "completed");
    String bobs =
        jobs.queued("bob", "/v1/images/generations", "{\"prompt\":\"a pot\",\"steps\":2}")
            .string("id", "");
    jobs.awaitStatus("bob", bobs, "completed");
    String missing = "job_" + "a".repeat(24);

    for (String[] call :
        List.of(
            new String[] {"GET", "/v1/jobs/%s"},
            new String[] {"POST", "/v1/jobs/%s/cancel"},
            new String[] {"GET", "/v1/jobs/%s/events"})) {
      HttpResponse<String> others =
          jobs.send("bob", call[0], call[1].formatted(alices), call[0].equals("POST") ? "" : null);
      HttpResponse<String> absent =
          jobs.send("bob", call[0], call[1].formatted(missing), call[0].equals("POST") ? "" : null);
      assertThat(others.statusCode()).as(call[1] + ": " + others.body()).isEqualTo(404);
      assertThat(absent.statusCode()).as(call[1] + ": " + absent.body()).isEqualTo(404);
      assertThat(others.body().replace(alices, "ID"))
          .as(call[1])
          .isEqualTo(absent.body().replace(missing, "ID"));
    }
    // Bob's cancel did nothing to Alice's job.
    assertThat(jobs.job("alice", alices).string("status", "")).isEqualTo("completed");

    assertThat(jobs.list("alice", "")).extracting(j -> j.string("id", "")).containsExactly(alices);
    assertThat(jobs.list("bob", "")).extracting(j -> j.string("id", "")).containsExactly(bobs);
  }

  @Test
  void statusFiltersTheListAndAnUnknownStatusIsA400NamingStatus() throws Exception {
    String done =
        jobs.queued("alice", "/v1/images/generations", "{\"prompt\":\"a cup\",\"steps\":2}")
            .string("id", "");
    jobs.awaitStatus("alice", done, "completed");
    f.engine.gate = new java.util.concurrent.CountDownLatch(1);
    try {
      String running =
          jobs.queued("alice", "/v1/images/generations", "{\"prompt\":\"a jug\",\"steps\":2}")
              .string("id", "");
      assertThat(f.engine.atGate.tryAcquire(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      String queued =
          jobs.queued("alice", "/v1/images/generations", "{\"prompt\":\"a pan\",\"steps\":2}")
              .string("id", "");
      String cancelled =
          jobs.queued("alice", "/v1/images/generations", "{\"prompt\":\"a pot\",\"steps\":2}")
              .string("id", "");
      assertThat(jobs.send("alice", "POST", "/v1/jobs/" + cancelled + "/cancel", "").statusCode())
          .isEqualTo(200);

      assertThat(jobs.list("alice", "?status=completed"))
          .extracting(j -> j.string("id", ""))
          .containsExactly(done);
      assertThat(jobs.list("alice", "?status=in_progress"))
          .extracting(j -> j.string("id", ""))
          .containsExactly(running);
      assertThat(jobs.list("alice", "?status=queued"))
          .extracting(j -> j.string("id", ""))
          .containsExactly(queued);
      assertThat(jobs.list("alice", "?status=cancelled"))
          .extracting(j -> j.string("id", ""))
          .containsExactly(cancelled);
      assertThat(jobs.list("alice", ""))
          .extracting(j -> j.string("id", ""))
          .containsExactly(cancelled, queued, running, done);
      assertThat(jobs.list("bob", "?status=queued")).isEmpty();

      HttpResponse<String> bad = jobs.send("alice", "GET", "/v1/jobs?status=done", null);
      assertThat(bad.statusCode()).isEqualTo(400);
      JsonValue.Obj e = JobClient.error(bad);
      assertThat(e.string("param", "")).isEqualTo("status");
      assertThat(e.string("message", ""))
          .isEqualTo(
              "status must be one of queued, in_progress, completed, failed, cancelled but was"
                  + " 'done'");
    } finally {
      f.engine.gate.countDown();
    }
  }

  @Test
  void aFailedJobCarriesTheErrorTheWaitingCallAnswers() throws Exception {
    f.engine.failAtStep = 2;
    String body = "{\"prompt\":\"a cracked cup\",\"steps\":4,\"seed\":1}";
    HttpResponse<String> waiting = jobs.send("alice", "POST", "/v1/images/generations", body);
    assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(500);
    JsonValue.Obj waitingError = JobClient.error(waiting);
    assertThat(waitingError.string("code", "")).isEqualTo("engine_error");
    assertThat(waitingError.string("type", "")).isEqualTo("server_error");
    assertThat(waitingError.string("message", ""))
        .isEqualTo("the engine failed: fake failure at step 2");
    assertThat(waitingError.members().keySet()).contains("message", "type", "param", "code");

    String id = jobs.queued("alice", "/v1/images/generations", body).string("id", "");
    JsonValue.Obj failed = jobs.awaitEnd("alice", id);
    assertThat(failed.string("status", "")).isEqualTo("failed");
    assertThat(failed.get("result").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
    JsonValue.Obj error = failed.object("error").orElseThrow();
    assertThat(error.members().keySet()).contains("message", "type", "param", "code");
    assertThat(error).isEqualTo(waitingError);

    // Nothing of either was stored.
    assertThat(jobs.send("alice", "GET", "/v1/images", null).body()).contains("\"data\":[]");
    assertThat(f.metadata.referencedBlobs()).isEmpty();
  }
}
