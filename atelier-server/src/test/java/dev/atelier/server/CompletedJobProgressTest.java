package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.store.JobStatus;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A completed job shorter than a heartbeat still shows its step count once it no longer runs: the
 * final progress is stored with the completion.
 */
class CompletedJobProgressTest {
  @TempDir Path dir;

  @Test
  void aCompletedJobShowsItsStepsAfterItLeftTheWorker() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      HttpResponse<String> r =
          f.http.send(
              HttpRequest.newBuilder(URI.create(f.base() + "/v1/images/generations"))
                  .header("Content-Type", "application/json")
                  .header("Prefer", "respond-async")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"steps\":7}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      String id = Json.parse(r.body()).asObject().string("id", "");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while ((f.metadata.job(id).orElseThrow().status() != JobStatus.COMPLETED
              || f.server.jobs().runningHere() > 0)
          && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
      }
      JsonValue.Obj job = Json.parse(f.get("/v1/jobs/" + id).body()).asObject();
      assertThat(job.string("status", "")).isEqualTo("completed");
      assertThat(Json.write(job.object("progress").orElseThrow()))
          .isEqualTo("{\"step\":7,\"steps\":7,\"images_done\":1,\"n\":1}");
    }
  }
}
