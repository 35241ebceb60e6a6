package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.store.Job;
import dev.atelier.store.JobStatus;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A graceful stop: {@link AtelierServer#drain} turns readiness off, refuses new work with 503 and
 * Retry-After, lets running jobs finish within its timeout and gives the rest back to the queue;
 * and a server process drains the same way on SIGTERM.
 */
class DrainTest {
  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void drainLetsTheRunningJobFinishKeepsTheQueuedOneAndRefusesNewWork() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.engine.stepMillis = 100;
      String running = submit(f.server.port(), 10);
      await(() -> status(f.metadata, running) == JobStatus.IN_PROGRESS, "first job runs");
      String queued = submit(f.server.port(), 10);

      CompletableFuture<JobRunner.Drained> drained =
          CompletableFuture.supplyAsync(() -> f.server.drain(Duration.ofSeconds(30)));
      await(() -> f.server.jobs().draining(), "the drain began");

      HttpResponse<String> ready = get(f.server.port(), "/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"queue\":{\"status\":\"draining\"");
      HttpResponse<String> refused = post(f.server.port(), 10);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(refused.body()).contains("\"code\":\"server_shutting_down\"");

      assertThat(drained.get(30, TimeUnit.SECONDS))
          .as("jobs given back")
          .isEqualTo(new JobRunner.Drained(0, 0, 0));
      assertThat(f.metadata.job(running).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
      Job waiting = f.metadata.job(queued).orElseThrow();
      assertThat(waiting.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(waiting.attempts()).isZero();
    }
  }

  @Test
  void aDrainThatTimesOutGivesTheRunningJobBackUncounted() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      f.engine.stepMillis = 100;
      String id = submit(f.server.port(), 100);
      await(() -> f.engine.stepsRun.get() >= 1, "the job made a step");

      assertThat(f.server.drain(Duration.ofMillis(200))).isEqualTo(new JobRunner.Drained(1, 0, 0));

      Job job = f.metadata.job(id).orElseThrow();
      assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(job.attempts()).isZero();
      assertThat(job.progress()).isEmpty();
      assertThat(f.engine.stepsRun.get()).as("the engine stopped").isLessThan(100);
    }
  }

  @Test
  void sigtermDrainsTheRunningJobAndKeepsTheQueuedOne() throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Process child =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                CrashHarness.class.getName(),
                dir.toString(),
                "100",
                "drain-on-sigterm")
            .redirectErrorStream(true)
            .start();
    String running;
    String queued;
    try {
      int port = CrashSafetyTest.readyPort(child);
      running = submit(port, 20);
      await(
          () ->
              Json.parse(get(port, "/v1/jobs/" + running).body())
                  .asObject()
                  .string("status", "")
                  .equals("in_progress"),
          "the first job runs");
      queued = submit(port, 20);
      child.destroy(); // SIGTERM
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("exited after draining").isTrue();
    } finally {
      child.destroyForcibly();
    }
    try (MetadataStore metadata = Stores.open(dir, "")) {
      assertThat(metadata.job(running).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
      Job waiting = metadata.job(queued).orElseThrow();
      assertThat(waiting.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(waiting.attempts()).isZero();
    }
  }

  private static JobStatus status(MetadataStore metadata, String id) {
    return metadata.job(id).orElseThrow().status();
  }

  /** Submits a generation of {@code steps} steps with {@code Prefer: respond-async}. */
  private String submit(int port, int steps) throws Exception {
    HttpResponse<String> r = post(port, steps);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return Json.parse(r.body()).asObject().string("id", "");
  }

  private HttpResponse<String> post(int port, int steps) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
            .header("Content-Type", "application/json")
            .header("Prefer", "respond-async")
            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"steps\":" + steps + "}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(Check condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }
}
