package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.BlobStore;
import dev.atelier.store.Job;
import dev.atelier.store.JobStatus;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.OwnerScope;
import dev.atelier.store.Stores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real {@code atelier serve --demo} (a child JVM on the bundled tiny models) while one
 * job runs and others wait: a second {@code serve} on the same data dir completes the queued jobs
 * and retries the interrupted one (or fails it as {@code interrupted}), SQLite's integrity check
 * passes, no image row lacks its blob and no blob lacks its row.
 *
 * <p>{@code dev.atelier.server.CrashSafetyTest} does the same with a fake engine inside the server
 * module; this one runs the command line users run, with its engine, threads and shutdown hook.
 */
class ServeKillTest {
  private static final int JOBS = 10;

  /** Enough for a 64x64 n=2 job of the demo model to run a few hundred ms on a small machine. */
  private static final int STEPS = 6;

  /** Leases of a second: the second server takes the killed server's job back at once. */
  private static final List<String> SERVE_ARGS = List.of("--job-lease", "1");

  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path data;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @AfterEach
  void closeClient() {
    http.close();
  }

  @Test
  void killDashNineWhileJobsRunLosesNoJobAndLeavesNoOrphan() throws Exception {
    List<String> ids = new ArrayList<>();
    try (ChildServer first = ChildServer.start(data, List.of(), SERVE_ARGS, START)) {
      URI base = first.baseUrl();
      await("the first server ready", first, () -> status(base.resolve("/readyz")) == 200);
      for (int i = 0; i < JOBS; i++) {
        ids.add(submit(base, i));
      }
      // Early in a job, so that the job still runs when the signal lands (jobs follow each other
      // within milliseconds: a kill between two would test nothing interrupted).
      await(
          "one job completed and one in its first half",
          first,
          () -> count(base, "completed") >= 1 && runningEarly(base));
      first.kill();
    }

    // What the store says at the kill, which is what the restart starts from.
    Map<String, Job> atKill;
    try (MetadataStore metadata = Stores.open(data, "")) {
      atKill = jobs(metadata, ids);
      BlobStore blobs = Stores.blobs(data);
      for (String sha : metadata.referencedBlobs()) {
        assertThat(blobs.exists(sha))
            .as("blob of a row committed before the kill: " + sha)
            .isTrue();
      }
    }
    assertThat(atKill.values())
        .extracting(Job::status)
        .as("jobs at the kill")
        .contains(JobStatus.COMPLETED, JobStatus.IN_PROGRESS, JobStatus.QUEUED)
        .doesNotContain(JobStatus.FAILED, JobStatus.CANCELLED);

    try (ChildServer second = ChildServer.start(data, List.of(), SERVE_ARGS, START)) {
      URI base = second.baseUrl();
      await(
          "every job ended after the restart",
          second,
          () -> {
            for (String id : ids) {
              if (!jobStatus(base, id).terminal()) {
                return false;
              }
            }
            return true;
          });
    } // SIGTERM: the second server drains (nothing runs) and closes the store.

    try (MetadataStore metadata = Stores.open(data, "")) {
      BlobStore blobs = Stores.blobs(data);
      Map<String, Job> after = jobs(metadata, ids);
      int completed = 0;
      for (String id : ids) {
        Job was = atKill.get(id);
        Job now = after.get(id);
        String what = id + ", " + was.status().wire() + " at the kill";
        if (was.status() == JobStatus.IN_PROGRESS) {
          // Interrupted: run again from its stored request, or failed as interrupted.
          assertThat(now.attempts()).as(what).isEqualTo(2);
          if (now.status() == JobStatus.FAILED) {
            assertThat(now.error()).as(what).contains("\"code\":\"interrupted\"");
          } else {
            assertThat(now.status()).as(what).isEqualTo(JobStatus.COMPLETED);
          }
        } else {
          assertThat(now.status()).as(what).isEqualTo(JobStatus.COMPLETED);
          assertThat(now.attempts()).as(what).isEqualTo(1);
        }
        if (now.status() == JobStatus.COMPLETED) {
          completed++;
          // Its images are rows with blobs, committed with the completion.
          List<JsonValue> images = Json.parse(now.result()).asObject().array("data");
          assertThat(images).as(what).hasSize(2);
          for (JsonValue image : images) {
            String imageId = ((JsonValue.Obj) image).string("id", "");
            Optional<StoredImage> row = metadata.image(imageId);
            assertThat(row).as("image row " + imageId + " of " + what).isPresent();
            assertThat(blobs.exists(row.get().sha256())).as("blob of " + imageId).isTrue();
          }
        }
      }
      assertThat(integrityCheck()).isEqualTo("ok");
      assertThat(blobFiles())
          .as("blob files after the restart: exactly the rows' blobs")
          .containsExactlyInAnyOrderElementsOf(metadata.referencedBlobs());
      assertThat(tempFiles()).as("temp files of unfinished blob writes").isEmpty();
      assertThat(metadata.images(OwnerScope.EVERYONE, "", 1000, "").orElseThrow().items())
          .as("image rows: two per completed job, none of an interrupted attempt")
          .hasSize(2 * completed);
    }
  }

  private String submit(URI base, int i) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
                .header("Content-Type", "application/json")
                .header("Prefer", "respond-async")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"prompt\":\"a cup "
                            + i
                            + "\",\"size\":\"64x64\",\"n\":2,\"steps\":"
                            + STEPS
                            + ",\"seed\":"
                            + i
                            + "}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return Json.parse(r.body()).asObject().string("id", "");
  }

  private int status(URI uri) throws Exception {
    try {
      return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private int count(URI base, String status) throws Exception {
    return Json.parse(get(base.resolve("/v1/jobs?limit=100&status=" + status)))
        .asObject()
        .array("data")
        .size();
  }

  /**
   * Whether a job runs in the engine and has done at most half the denoising steps of its first
   * image: a kill then lands in a native call, with at least half the job left to run.
   */
  private boolean runningEarly(URI base) throws Exception {
    for (JsonValue job :
        Json.parse(get(base.resolve("/v1/jobs?status=in_progress"))).asObject().array("data")) {
      JsonValue.Obj progress = ((JsonValue.Obj) job).object("progress").orElseThrow();
      long step = progress.integer("step", 0);
      if (progress.integer("images_done", 0) == 0
          && step >= 1
          && 2 * step <= progress.integer("steps", 0)) {
        return true;
      }
    }
    return false;
  }

  private JobStatus jobStatus(URI base, String id) throws Exception {
    String wire = Json.parse(get(base.resolve("/v1/jobs/" + id))).asObject().string("status", "");
    return JobStatus.of(wire).orElseThrow(() -> new AssertionError(id + ": status " + wire));
  }

  private String get(URI uri) throws Exception {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET " + uri + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  /** Polls {@code condition} until it holds; fails with the child's output after 60 s. */
  private static void await(String what, ChildServer child, Check condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline || !child.alive()) {
        throw new AssertionError(
            "not reached: "
                + what
                + (child.alive() ? "" : " (the server exited)")
                + "\n"
                + child.output());
      }
      // Polling: the server has no event that says all of this at once.
      Thread.sleep(20);
    }
  }

  @FunctionalInterface
  private interface Check {
    boolean holds() throws Exception;
  }

  private static Map<String, Job> jobs(MetadataStore metadata, List<String> ids) {
    Map<String, Job> jobs = new LinkedHashMap<>();
    for (String id : ids) {
      jobs.put(id, metadata.job(id).orElseThrow(() -> new AssertionError("no job row " + id)));
    }
    return jobs;
  }

  private String integrityCheck() throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + data.resolve(Stores.SQLITE_FILE));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The blob files: {@code blobs/sha256/<2 hex>/<64 hex>} (FileBlobStore's layout). */
  private List<String> blobFiles() throws Exception {
    try (Stream<Path> s = Files.walk(data.resolve("blobs").resolve("sha256"))) {
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
    }
  }

  private List<Path> tempFiles() throws Exception {
    try (Stream<Path> s = Files.walk(data.resolve("blobs").resolve("tmp"))) {
      return s.filter(Files::isRegularFile).toList();
    }
  }
}
