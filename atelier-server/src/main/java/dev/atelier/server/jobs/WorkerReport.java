package dev.atelier.server.jobs;

import dev.atelier.store.MetadataStore;
import dev.atelier.store.Worker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this process's row in the {@code workers} table: registered at start, reported every third
 * of a lease (state, current job, heartbeat) and at once when its model becomes warm, deleted on a
 * clean stop. It also prunes rows whose heartbeat is older than {@link #PRUNE_AFTER} (processes
 * killed without a stop); rows between three leases and that age are shown as stale.
 */
public final class WorkerReport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerReport.class);

  /** How long a dead worker's row stays (shown as stale) before a live worker deletes it. */
  public static final Duration PRUNE_AFTER = Duration.ofHours(1);

  private final MetadataStore store;
  private final JobRunner runner;
  private final BooleanSupplier warm;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private volatile Worker row;

  /**
   * Registers this process now.
   *
   * @param engine {@code local} or {@code openai}
   * @param models the served models, the default first
   * @param device where the engine runs
   * @param warm whether the default model is loaded (until then the state is {@code starting})
   */
  public WorkerReport(
      MetadataStore store,
      JobRunner runner,
      String engine,
      List<Worker.Model> models,
      String device,
      BooleanSupplier warm,
      Clock clock) {
    this.store = store;
    this.runner = runner;
    this.warm = warm;
    this.clock = clock;
    Instant now = clock.instant();
    this.row =
        new Worker(
            runner.workerId(),
            JobRunner.host(),
            ProcessHandle.current().pid(),
            engine,
            models,
            device,
            Worker.State.STARTING,
            "",
            now,
            now);
    report();
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "atelier-worker-report");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(100, runner.settings().lease().toMillis() / 3);
    timer.scheduleWithFixedDelay(this::report, every, every, TimeUnit.MILLISECONDS);
    // Warm is news: API nodes route and /v1/workers shows it at once, not a third of a lease later.
    timer.scheduleWithFixedDelay(this::reportOnceWarm, 250, 250, TimeUnit.MILLISECONDS);
  }

  private void reportOnceWarm() {
    if (row.state() == Worker.State.STARTING && warm.getAsBoolean()) {
      report();
    }
  }

  /** This process's row as last reported. */
  public Worker row() {
    return row;
  }

  private void report() {
    try {
      List<String> jobs = runner.runningIds();
      Worker.State state =
          runner.draining()
              ? Worker.State.DRAINING
              : !warm.getAsBoolean()
                  ? Worker.State.STARTING
                  : jobs.isEmpty() ? Worker.State.IDLE : Worker.State.RUNNING;
      Instant now = clock.instant();
      row = row.beat(state, jobs.isEmpty() ? "" : jobs.getFirst(), now);
      store.reportWorker(row);
      int pruned = store.pruneWorkers(now.minus(PRUNE_AFTER));
      if (pruned > 0) {
        LOG.info("pruned {} worker row(s) with no heartbeat for {}", pruned, PRUNE_AFTER);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not report this worker: {}", e.getMessage());
    }
  }

  /** Stops reporting and deletes this process's row. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      store.removeWorker(row.id());
    } catch (RuntimeException e) {
      LOG.warn("could not remove this worker's row: {}", e.getMessage());
    }
  }
}
