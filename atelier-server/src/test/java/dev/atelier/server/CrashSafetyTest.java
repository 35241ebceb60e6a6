package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.StoredImage;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.store.BlobStore;
import dev.atelier.store.Job;
import dev.atelier.store.JobStatus;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.OwnerScope;
import dev.atelier.store.Stores;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a server process while jobs run and wait: after a restart the queued jobs complete,
 * the interrupted one is retried (deterministic seeds: the same images) or failed as {@code
 * interrupted}, SQLite's integrity check passes, no image row lacks its blob, and no blob lacks its
 * row.
 */
class CrashSafetyTest {
  @TempDir Path data;

  @Test
  void killDashNineWhileJobsRunLosesNoJobAndLeavesNoOrphan() throws Exception {
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    // Each step takes 40 ms: a 512x512 n=2 job of 4 steps runs for about 160 ms.
    Process child =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                CrashHarness.class.getName(),
                data.toString(),
                "40")
            .redirectErrorStream(true)
            .start();
    List<String> ids = new ArrayList<>();
    try {
      int port = readyPort(child);
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 12; i++) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
                    .header("Content-Type", "application/json")
                    .header("Prefer", "respond-async")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\":\"cup "
                                + i
                                + "\",\"n\":2,\"size\":\"512x512\",\"steps\":4,\"seed\":"
                                + i
                                + "}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        ids.add(Json.parse(r.body()).asObject().string("id", ""));
      }
      // Kill once two jobs have completed and the third runs, the rest queued.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + port + "/v1/jobs?status=completed&limit=100"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> running =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/jobs?status=in_progress"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (Json.parse(r.body()).asObject().array("data").size() >= 2
            && !Json.parse(running.body()).asObject().array("data").isEmpty()) {
          break;
        }
        Thread.sleep(20);
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    try (MetadataStore metadata = Stores.open(data, "")) {
      BlobStore blobs = Stores.blobs(data);
      List<Job> before = jobs(metadata, ids);
      assertThat(before)
          .extracting(Job::status)
          .contains(JobStatus.COMPLETED, JobStatus.IN_PROGRESS, JobStatus.QUEUED);
      for (String sha : metadata.referencedBlobs()) {
        assertThat(blobs.exists(sha)).as("blob of a committed row: " + sha).isTrue();
      }

      // The restart: leases of a second, so the dead worker's job comes back at once.
      AtelierServer restarted =
          AtelierServer.start(
              new FakeEngine(),
              metadata,
              blobs,
              new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                  .withJobs(JobRunner.Settings.DEFAULT.withLease(Duration.ofSeconds(1))));
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline
            && !jobs(metadata, ids).stream().allMatch(j -> j.status().terminal())) {
          Thread.sleep(50);
        }
      } finally {
        restarted.close();
      }
      List<Job> after = jobs(metadata, ids);
      for (int i = 0; i < after.size(); i++) {
        Job was = before.get(i);
        Job now = after.get(i);
        if (was.status() == JobStatus.IN_PROGRESS) {
          // Interrupted: retried from its request, or failed as interrupted after two tries.
          assertThat(now.attempts()).as(now.id()).isEqualTo(2);
          if (now.status() == JobStatus.FAILED) {
            assertThat(now.error()).contains("\"code\":\"interrupted\"");
          } else {
            assertThat(now.status()).as(now.id()).isEqualTo(JobStatus.COMPLETED);
          }
        } else {
          assertThat(now.status())
              .as(now.id() + " was " + was.status())
              .isEqualTo(JobStatus.COMPLETED);
        }
        if (now.status() == JobStatus.COMPLETED) {
          // Its images are rows with blobs, committed with the completion.
          JsonValue.Obj result = Json.parse(now.result()).asObject();
          assertThat(result.array("data")).hasSize(2);
          for (JsonValue d : result.array("data")) {
            String id = ((JsonValue.Obj) d).string("id", "");
            Optional<StoredImage> img = metadata.image(id);
            assertThat(img).as(id).isPresent();
            assertThat(blobs.exists(img.get().sha256())).isTrue();
          }
        }
      }
      assertThat(integrityCheck()).isEqualTo("ok");
      List<String> files;
      try (Stream<Path> s = Files.walk(data.resolve("blobs"))) {
        files = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
      }
      assertThat(files)
          .as("blob files after the restart: exactly the rows' blobs")
          .containsExactlyInAnyOrderElementsOf(metadata.referencedBlobs());
      assertThat(metadata.images(OwnerScope.EVERYONE, "", 1000, "").orElseThrow().items())
          .as("no image without its job")
          .hasSize(2 * (int) after.stream().filter(j -> j.status() == JobStatus.COMPLETED).count());
    }
  }

  private static List<Job> jobs(MetadataStore metadata, List<String> ids) {
    return ids.stream().map(id -> metadata.job(id).orElseThrow()).toList();
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

  static int readyPort(Process child) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      Matcher m = Pattern.compile("READY (\\d+)").matcher(line);
      if (m.find()) {
        // Keep draining the child's output so it never blocks on a full pipe.
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // discard
                    }
                  } catch (java.io.IOException e) {
                    // the child died
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("the child server never announced its port");
  }
}
