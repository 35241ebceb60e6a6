package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import dev.atelier.server.jobs.JobRunner;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Idempotency-Key}: a retry of the same request gets the first one's job or answer and runs
 * nothing again; another request under the key is a 409 naming the header; keys are per owner; and
 * POSTs that make no job replay their answer too.
 */
class IdempotencyKeyApiTest {
  private static final String KEY = "Idempotency-Key";

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

  private static final String CUP =
      "{\"prompt\":\"a white cup\",\"n\":2,\"size\":\"64x64\",\"seed\":3,\"steps\":2}";

  @Test
  void anAsyncRetryWithTheSameKeyGetsTheSameJobAndRunsOnce() throws Exception {
    JsonValue.Obj first = jobs.queued("alice", "/v1/images/generations", CUP, KEY, "k-1");
    jobs.awaitStatus("alice", first.string("id", ""), "completed");
    JsonValue.Obj retry = jobs.queued("alice", "/v1/images/generations", CUP, KEY, "k-1");
    assertThat(retry.string("id", "")).isEqualTo(first.string("id", ""));
    assertThat(retry.string("status", "")).isEqualTo("completed");
    assertThat(f.engine.calls.get()).isEqualTo(1);
    assertThat(jobs.list("alice", "")).hasSize(1);
  }

  @Test
  void aWaitingRetryWithTheSameKeyGetsTheSameAnswer() throws Exception {
    HttpResponse<String> first =
        jobs.send("alice", "POST", "/v1/images/generations", CUP, KEY, "k-2");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    HttpResponse<String> retry =
        jobs.send("alice", "POST", "/v1/images/generations", CUP, KEY, "k-2");
    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(f.engine.calls.get()).isEqualTo(1);
    // The async form of the same request names the same job.
    JsonValue.Obj job = jobs.queued("alice", "/v1/images/generations", CUP, KEY, "k-2");
    assertThat(jobs.list("alice", ""))
        .extracting(j -> j.string("id", ""))
        .containsExactly(job.string("id", ""));
  }

  @Test
  void theSameKeyWithAnotherRequestIsA409NamingTheHeader() throws Exception {
    jobs.queued("alice", "/v1/images/generations", CUP, KEY, "k-3");
    for (HttpResponse<String> other :
        java.util.List.of(
            jobs.async(
                "alice", "/v1/images/generations", CUP.replace("white", "black"), KEY, "k-3"),
            jobs.send(
                "alice",
                "POST",
                "/v1/images/generations",
                CUP.replace("white", "black"),
                KEY,
                "k-3"))) {
      assertThat(other.statusCode()).as(other.body()).isEqualTo(409);
      JsonValue.Obj e = JobClient.error(other);
      assertThat(e.string("param", "")).isEqualTo("Idempotency-Key");
      assertThat(e.string("code", "")).isEqualTo("idempotency_key_reused");
      assertThat(e.string("message", "")).contains("'k-3'", "different request");
    }
    JobClient.await("the first job to end", () -> f.engine.calls.get() == 1);
    assertThat(jobs.list("alice", "")).hasSize(1);
  }

  @Test
  void keysArePerOwner() throws Exception {
    String alices =
        jobs.queued("alice", "/v1/images/generations", CUP, KEY, "shared").string("id", "");
    String bobs = jobs.queued("bob", "/v1/images/generations", CUP, KEY, "shared").string("id", "");
    assertThat(bobs).isNotEqualTo(alices);
    jobs.awaitStatus("alice", alices, "completed");
    jobs.awaitStatus("bob", bobs, "completed");
    assertThat(f.engine.calls.get()).isEqualTo(2);
    // Each owner's retry finds their own job.
    assertThat(jobs.queued("alice", "/v1/images/generations", CUP, KEY, "shared").string("id", ""))
        .isEqualTo(alices);
    assertThat(jobs.queued("bob", "/v1/images/generations", CUP, KEY, "shared").string("id", ""))
        .isEqualTo(bobs);
    assertThat(f.engine.calls.get()).isEqualTo(2);
  }

  @Test
  void aPostWithoutAJobReplaysItsAnswerWithoutRunningAgain() throws Exception {
    HttpResponse<String> created =
        jobs.send("alice", "POST", "/v1/sessions", "{\"prompt\":\"a cup on a table\",\"seed\":1}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String session = JobClient.json(created).string("id", "");
    String r1 = round(session, "make the cup red");
    String r2 = round(session, "make the table oak");
    assertThat(head(session)).isEqualTo(r2);

    HttpResponse<String> undo =
        jobs.send("alice", "POST", "/v1/sessions/" + session + "/undo", "", KEY, "undo-1");
    assertThat(undo.statusCode()).as(undo.body()).isEqualTo(200);
    assertThat(JobClient.json(undo).string("head", "")).isEqualTo(r1);
    HttpResponse<String> replayed =
        jobs.send("alice", "POST", "/v1/sessions/" + session + "/undo", "", KEY, "undo-1");
    assertThat(replayed.statusCode()).isEqualTo(200);
    assertThat(replayed.body()).isEqualTo(undo.body());
    assertThat(replayed.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    // Not undone twice.
    assertThat(head(session)).isEqualTo(r1);

    // Another body under the key is a 409; a new key runs again.
    HttpResponse<String> other =
        jobs.send(
            "alice",
            "POST",
            "/v1/sessions/" + session + "/checkout",
            "{\"round_id\":\"" + r2 + "\"}",
            KEY,
            "undo-1");
    assertThat(other.statusCode()).as(other.body()).isEqualTo(409);
    assertThat(JobClient.error(other).string("param", "")).isEqualTo("Idempotency-Key");
    assertThat(head(session)).isEqualTo(r1);
    HttpResponse<String> again =
        jobs.send("alice", "POST", "/v1/sessions/" + session + "/undo", "", KEY, "undo-2");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    assertThat(head(session)).isNotEqualTo(r1);
  }

  private String round(String session, String instruction) throws Exception {
    HttpResponse<String> r =
        jobs.send(
            "alice",
            "POST",
            "/v1/sessions/" + session + "/rounds",
            "{\"instruction\":\"" + instruction + "\",\"seed\":2}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JobClient.json(r).object("round").orElseThrow().string("id", "");
  }

  private String head(String session) throws Exception {
    return JobClient.json(jobs.send("alice", "GET", "/v1/sessions/" + session, null))
        .string("head", "");
  }
}
