package dev.atelier.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import dev.atelier.store.JdbcMetadataStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Worker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker's row says it is warm as soon as its model is, not a third of a lease later. */
class WorkerReportTest {
  @TempDir Path dir;

  @Test
  void theRowTurnsIdleSoonAfterTheModelIsWarm() throws Exception {
    try (MetadataStore store = JdbcMetadataStore.openSqlite(dir.resolve("atelier.db"))) {
      JobRunner runner =
          new JobRunner(
              store,
              (job, writes) -> {
                throw new IllegalStateException("no job runs here");
              },
              JobRunner.Settings.DEFAULT.withWorkers(0).withLease(Duration.ofMinutes(3)),
              JobListener.NONE,
              Clock.systemUTC(),
              e -> new JobRunner.ErrorInfo("x", "{}"),
              job -> new JsonValue.Obj(Map.of()),
              () -> true);
      AtomicBoolean warm = new AtomicBoolean(false);
      try (WorkerReport report =
          new WorkerReport(
              store,
              runner,
              "local",
              List.of(new Worker.Model("m", "text-to-image")),
              "cpu",
              warm::get,
              Clock.systemUTC())) {
        assertThat(state(store)).isEqualTo(Worker.State.STARTING);
        warm.set(true);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (state(store) != Worker.State.IDLE && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        // The periodic report comes every minute here (a third of the 3-minute lease).
        assertThat(state(store)).isEqualTo(Worker.State.IDLE);
      }
      assertThat(store.workers()).as("removed on close").isEmpty();
    }
  }

  private static Worker.State state(MetadataStore store) {
    return store.workers().getFirst().state();
  }
}
