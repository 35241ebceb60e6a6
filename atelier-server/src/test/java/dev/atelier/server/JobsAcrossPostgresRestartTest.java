package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.store.Job;
import dev.atelier.store.JobStatus;
import dev.atelier.store.testing.PrivatePostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose PostgreSQL restarts while it runs jobs: requests may fail during the outage, but
 * no job is lost or stuck (each ends completed, with its images stored once) and the node takes and
 * finishes new work afterwards. The server is PostgreSQL of this test's own ({@link
 * PrivatePostgres}), since the shared one must not be restarted; skipped, with a message, where
 * PostgreSQL's binaries are not installed.
 */
class JobsAcrossPostgresRestartTest {
  private static PrivatePostgres postgres;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startPostgres() throws Exception {
    Optional<Path> bin = PrivatePostgres.binaries();
    if (bin.isEmpty()) {
      System.err.println(
          "SKIPPING JobsAcrossPostgresRestartTest: no PostgreSQL binaries (initdb, pg_ctl) under"
              + " /usr/lib/postgresql or $ATELIER_TEST_PG_BIN");
      return;
    }
    postgres = PrivatePostgres.start(bin.get());
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aRestartUnderRunningJobsLosesNoJobAndLeavesNoNodeStuck() throws Exception {
    Assumptions.assumeTrue(postgres != null, "no PostgreSQL binaries to start a private server");
    ServerConfig config =
        new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
            .withJobs(JobRunner.Settings.DEFAULT.withLease(Duration.ofSeconds(3)));
    try (ServerFixture f =
        ServerFixture.withTestCallersOn(dir, postgres.url(PrivatePostgres.PASSWORD), config)) {
      f.engine.stepMillis = 60;
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ids.add(submit(f, 10));
      }
      await(() -> f.engine.stepsRun.get() >= 3, "the first job is running");

      postgres.restart(); // pg_ctl restart -m fast: every connection is closed under the node

      for (String id : ids) {
        Job job = awaitEnd(f, id);
        assertThat(job.status()).as("job %s after the restart", id).isEqualTo(JobStatus.COMPLETED);
        assertThat(Json.parse(job.result()).asObject().array("data"))
            .as("job %s's images, stored once", id)
            .hasSize(1);
      }
      // The node is whole again: a new job is taken, run and stored.
      String after = submitWhenUp(f);
      assertThat(awaitEnd(f, after).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(get(f, "/readyz").statusCode()).isEqualTo(200);
    }
  }

  private String submit(ServerFixture f, int steps) throws Exception {
    HttpResponse<String> r = post(f, steps);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return Json.parse(r.body()).asObject().string("id", "");
  }

  /** Submits once the node answers again (requests may fail while its pool reconnects). */
  private String submitWhenUp(ServerFixture f) throws Exception {
    String[] id = {""};
    await(
        () -> {
          HttpResponse<String> r = post(f, 2);
          if (r.statusCode() == 202) {
            id[0] = Json.parse(r.body()).asObject().string("id", "");
            return true;
          }
          return false;
        },
        "a job accepted after the restart");
    return id[0];
  }

  private HttpResponse<String> post(ServerFixture f, int steps) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(f.base() + "/v1/images/generations"))
            .header("Content-Type", "application/json")
            .header("Prefer", "respond-async")
            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"steps\":" + steps + "}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(ServerFixture f, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(f.base() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Job {@code id} once it ended; reads that fail while the database is away are retried. */
  private Job awaitEnd(ServerFixture f, String id) throws Exception {
    Job[] last = new Job[1];
    await(
        () -> {
          last[0] = f.metadata.job(id).orElseThrow();
          return last[0].status().terminal();
        },
        "job " + id + " to end");
    return last[0];
  }

  private static void await(java.util.concurrent.Callable<Boolean> condition, String what)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    RuntimeException lastFailure = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.call()) {
          return;
        }
      } catch (RuntimeException e) {
        lastFailure = e; // the database is away: try again
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "timed out waiting for " + what + (lastFailure == null ? "" : ": " + lastFailure),
        lastFailure);
  }
}
