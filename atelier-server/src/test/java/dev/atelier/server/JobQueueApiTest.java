package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import dev.atelier.server.jobs.JobRunner;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue with an engine of controlled duration: arrival order within an owner, turns between
 * owners, a bounded queue that refuses without storing, cancels of queued and running jobs, and a
 * waiting client that leaves.
 */
class JobQueueApiTest {
  @TempDir Path dir;
  ServerFixture f;
  JobClient jobs;

  private void start(int queueSize) {
    f =
        ServerFixture.withTestCallers(
            dir,
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withJobs(JobRunner.Settings.DEFAULT.withWorkers(1).withQueueSize(queueSize)));
    jobs = new JobClient(f);
  }

  @AfterEach
  void stop() {
    if (f != null) {
      CountDownLatch g = f.engine.gate;
      if (g != null) {
        g.countDown();
      }
      f.close();
    }
  }

  private static String generation(String prompt, int n) {
    return "{\"prompt\":\"" + prompt + "\",\"n\":" + n + ",\"size\":\"64x64\",\"steps\":2}";
  }

  /** Queues {@code owner}'s job that holds the single worker until {@link #release()}; its id. */
  private String hold(String owner) throws Exception {
    f.engine.gate = new CountDownLatch(1);
    String id =
        jobs.queued(owner, "/v1/images/generations", generation("held", 1)).string("id", "");
    assertThat(f.engine.atGate.tryAcquire(30, TimeUnit.SECONDS))
        .as("the held job reached the engine")
        .isTrue();
    return id;
  }

  private void release() {
    f.engine.gate.countDown();
  }

  /**
   * The prompts the engine ran, in order, each once (a job of many images may call the engine once
   * per sub-batch).
   */
  private List<String> prompts() {
    synchronized (f.engine.prompts) {
      return f.engine.prompts.stream().distinct().toList();
    }
  }

  private int images(String owner) throws Exception {
    return JobClient.json(jobs.send(owner, "GET", "/v1/images?limit=100", null))
        .array("data")
        .size();
  }

  @Test
  void oneOwnersJobsRunInArrivalOrder() throws Exception {
    start(32);
    String held = hold("alice");
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      JsonValue.Obj job = jobs.queued("alice", "/v1/images/generations", generation("p" + i, 1));
      assertThat(job.string("status", "")).isEqualTo("queued");
      assertThat(job.number("queue_position", -1)).as("p" + i).isEqualTo(i - 1);
      ids.add(job.string("id", ""));
    }
    // Positions move up as nothing ahead changes: the last is still behind three.
    assertThat(jobs.job("alice", ids.get(3)).number("queue_position", -1)).isEqualTo(3);
    release();

    jobs.awaitStatus("alice", held, "completed");
    long previous = 0;
    for (String id : ids) {
      JsonValue.Obj done = jobs.awaitStatus("alice", id, "completed");
      assertThat(done.get("queue_position").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
      long started = (long) done.number("started_at", -1);
      assertThat(started).isGreaterThanOrEqualTo(previous);
      previous = started;
    }
    assertThat(prompts()).containsExactly("held", "p1", "p2", "p3", "p4");
  }

  @Test
  void ownersTakeTurnsSoOneOwnersBacklogDoesNotHoldAnotherBack() throws Exception {
    start(32);
    String held = hold("holder");
    List<String> alices = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      alices.add(
          jobs.queued("alice", "/v1/images/generations", generation("alice " + i, 8))
              .string("id", ""));
    }
    String bobs =
        jobs.queued("bob", "/v1/images/generations", generation("bob 1", 1)).string("id", "");
    // In arrival order Bob is behind Alice's four.
    assertThat(jobs.job("bob", bobs).number("queue_position", -1)).isEqualTo(4);
    release();

    jobs.awaitStatus("holder", held, "completed");
    jobs.awaitStatus("bob", bobs, "completed");
    for (String id : alices) {
      jobs.awaitStatus("alice", id, "completed");
    }
    // Alice's first (never claimed: oldest first), then Bob's (his turn), then Alice's others.
    assertThat(prompts())
        .containsExactly("held", "alice 1", "bob 1", "alice 2", "alice 3", "alice 4");
    assertThat(images("alice")).isEqualTo(32);
    assertThat(images("bob")).isEqualTo(1);
  }

  @Test
  void aFullQueueIsA429WithRetryAfterAndStoresNothing() throws Exception {
    start(2);
    String held = hold("alice");
    String first =
        jobs.queued("alice", "/v1/images/generations", generation("q1", 1)).string("id", "");
    String second =
        jobs.queued("bob", "/v1/images/generations", generation("q2", 1)).string("id", "");
    int jobRows = jobs.list("alice", "?limit=100").size() + jobs.list("bob", "?limit=100").size();
    assertThat(jobRows).isEqualTo(3);
    Set<String> referenced = f.metadata.referencedBlobs();
    long blobFiles = JobClient.blobFiles(dir);

    List<HttpResponse<String>> refused = new ArrayList<>();
    refused.add(jobs.async("alice", "/v1/images/generations", generation("q3", 1)));
    refused.add(jobs.send("alice", "POST", "/v1/images/generations", generation("q3", 1)));
    // A multipart edit stores its file as a blob before it is queued: refused, it must not stay.
    refused.add(
        jobs.sendMultipart(
            "carol",
            "/v1/images/edits",
            JobClient.Multipart.of(
                Map.of("prompt", "warmer", "steps", "2"), "image", JobsApiTest.noisePng(77)),
            "Prefer",
            "respond-async"));
    for (HttpResponse<String> r : refused) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      String retryAfter = r.headers().firstValue("Retry-After").orElseThrow();
      assertThat(retryAfter).matches("[0-9]+");
      assertThat(Integer.parseInt(retryAfter)).isGreaterThanOrEqualTo(1);
      JsonValue.Obj e = JobClient.error(r);
      assertThat(e.string("code", "")).isEqualTo("rate_limit_exceeded");
      assertThat(e.string("message", "")).contains("the job queue is full: 2 jobs are waiting");
    }
    assertThat(jobs.list("alice", "?limit=100")).hasSize(2);
    assertThat(jobs.list("bob", "?limit=100")).hasSize(1);
    assertThat(jobs.list("carol", "?limit=100")).isEmpty();
    assertThat(f.metadata.referencedBlobs()).isEqualTo(referenced);
    assertThat(JobClient.blobFiles(dir)).as("blob files").isEqualTo(blobFiles);

    release();
    jobs.awaitStatus("alice", held, "completed");
    jobs.awaitStatus("alice", first, "completed");
    jobs.awaitStatus("bob", second, "completed");
    // Bob's turn comes before Alice's second job.
    assertThat(prompts()).containsExactly("held", "q2", "q1");
    // Room again.
    String again =
        jobs.queued("alice", "/v1/images/generations", generation("q4", 1)).string("id", "");
    jobs.awaitStatus("alice", again, "completed");
  }

  @Test
  void aQueuedJobCancelledEndsAtOnceAndNeverRuns() throws Exception {
    start(32);
    String held = hold("alice");
    String queued =
        jobs.queued("alice", "/v1/images/generations", generation("never", 2)).string("id", "");
    HttpResponse<String> cancel = jobs.send("alice", "POST", "/v1/jobs/" + queued + "/cancel", "");
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    JsonValue.Obj answered = JobClient.json(cancel);
    assertThat(answered.string("status", "")).isEqualTo("cancelled");
    assertThat(answered.get("result").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
    assertThat(answered.get("queue_position").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
    assertThat(jobs.job("alice", queued).string("status", "")).isEqualTo("cancelled");

    release();
    jobs.awaitStatus("alice", held, "completed");
    assertThat(prompts()).containsExactly("held");
    assertThat(f.engine.calls.get()).isEqualTo(1);
    assertThat(images("alice")).as("only the held job's image").isEqualTo(1);
    // Cancelling it again changes nothing.
    JsonValue.Obj again =
        JobClient.json(jobs.send("alice", "POST", "/v1/jobs/" + queued + "/cancel", ""));
    assertThat(again.string("status", "")).isEqualTo("cancelled");
    assertThat(jobs.job("alice", held).string("status", "")).isEqualTo("completed");
  }

  @Test
  void aRunningJobCancelledStopsWithinAStepAndStoresNothing() throws Exception {
    start(32);
    Set<String> referenced = f.metadata.referencedBlobs();
    long blobFiles = JobClient.blobFiles(dir);
    f.engine.stepMillis = 40;
    String id =
        jobs.queued(
                "alice",
                "/v1/images/generations",
                "{\"prompt\":\"a slow render\",\"n\":2,\"size\":\"64x64\",\"steps\":50}")
            .string("id", "");
    JobClient.await(
        "the job a few steps in",
        () -> {
          JsonValue.Obj j = jobs.job("alice", id);
          return j.string("status", "").equals("in_progress")
              && j.object("progress").orElseThrow().number("step", 0) >= 3;
        });
    JsonValue.Obj cancel =
        JobClient.json(jobs.send("alice", "POST", "/v1/jobs/" + id + "/cancel", ""));
    int stepsAtCancel = f.engine.stepsRun.get();
    assertThat(cancel.string("status", "")).isIn("in_progress", "cancelled");

    JsonValue.Obj ended = jobs.awaitEnd("alice", id);
    assertThat(ended.string("status", "")).isEqualTo("cancelled");
    assertThat(f.engine.cancelled.await(30, TimeUnit.SECONDS)).isTrue();
    int stepsAtEnd = f.engine.stepsRun.get();
    assertThat(stepsAtEnd)
        .as("steps at the cancel's answer: %d", stepsAtCancel)
        .isLessThanOrEqualTo(stepsAtCancel + 1)
        .isLessThan(50);
    assertThat(ended.get("result").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
    assertThat(ended.get("error").orElseThrow()).isEqualTo(JsonValue.Null.INSTANCE);
    assertThat(images("alice")).isZero();
    assertThat(f.metadata.referencedBlobs()).isEqualTo(referenced);
    assertThat(JobClient.blobFiles(dir)).isEqualTo(blobFiles);
  }

  /** Sends a waiting generation by {@code owner} over a raw socket, left open. */
  private Socket waitingRequest(String owner, String body) throws Exception {
    Socket socket = new Socket("127.0.0.1", f.server.port());
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /v1/images/generations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + ServerFixture.TEST_OWNER
                + ": "
                + owner
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
    return socket;
  }

  @Test
  void aWaitingClientThatHangsUpCancelsItsRunningJob() throws Exception {
    start(32);
    Set<String> referenced = f.metadata.referencedBlobs();
    long blobFiles = JobClient.blobFiles(dir);
    f.engine.stepMillis = 40;
    try (Socket socket =
        waitingRequest(
            "alice",
            "{\"prompt\":\"a render nobody waits for\",\"size\":\"64x64\",\"steps\":50}")) {
      JobClient.await(
          "the job to run", () -> jobs.list("alice", "?status=in_progress").size() == 1);
      socket.setSoLinger(true, 0);
    }
    JobClient.await(
        "the job to be cancelled", () -> jobs.list("alice", "?status=cancelled").size() == 1);
    assertThat(jobs.list("alice", "")).hasSize(1);
    assertThat(f.engine.cancelled.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(f.engine.stepsRun.get()).isLessThan(50);
    assertThat(images("alice")).isZero();
    assertThat(f.metadata.referencedBlobs()).isEqualTo(referenced);
    assertThat(JobClient.blobFiles(dir)).isEqualTo(blobFiles);
  }

  @Test
  void aWaitingClientThatHangsUpWhileQueuedCancelsItsJobBeforeItRuns() throws Exception {
    start(32);
    String held = hold("alice");
    try (Socket socket = waitingRequest("alice", generation("left in the queue", 1))) {
      JobClient.await("the job to queue", () -> jobs.list("alice", "?status=queued").size() == 1);
      socket.setSoLinger(true, 0);
    }
    JobClient.await(
        "the job to be cancelled", () -> jobs.list("alice", "?status=cancelled").size() == 1);
    release();
    jobs.awaitStatus("alice", held, "completed");
    assertThat(prompts()).containsExactly("held");
    assertThat(images("alice")).isEqualTo(1);
  }
}
