package dev.atelier.server.models;

import dev.atelier.store.Worker;
import dev.atelier.store.WorkerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the live workers serve, as an API node sees it in the {@code workers} table: the models (for
 * an API node started without {@code --model}) and each model's state for {@code /v1/models}. Reads
 * the table at most once a second.
 */
public final class WorkerModels {
  private static final Duration FRESH = Duration.ofSeconds(1);

  private final WorkerStore store;
  private final Duration lease;
  private final Clock clock;
  private List<Worker> cached = List.of();
  private Instant readAt = Instant.MIN;

  /**
   * Creates one.
   *
   * @param lease the job lease: a worker whose heartbeat is older than three is gone
   */
  public WorkerModels(WorkerStore store, Duration lease, Clock clock) {
    this.store = store;
    this.lease = lease;
    this.clock = clock;
  }

  /** The live workers (heartbeat within three leases), oldest registration first. */
  public synchronized List<Worker> live() {
    Instant now = clock.instant();
    if (readAt.plus(FRESH).isBefore(now)) {
      try {
        cached = store.workers().stream().filter(w -> !w.stale(now, lease)).toList();
      } catch (RuntimeException e) {
        // The store is down: keep the last answer; readiness reports the store.
      }
      readAt = now;
    }
    return cached;
  }

  /** The models the live workers serve, each once, in the order of the oldest worker first. */
  public List<Worker.Model> served() {
    return served(live());
  }

  /** The models {@code workers} serve, each once, in their order. */
  static List<Worker.Model> served(List<Worker> workers) {
    Map<String, Worker.Model> out = new LinkedHashMap<>();
    for (Worker w : workers) {
      for (Worker.Model m : w.models()) {
        out.putIfAbsent(m.id(), m);
      }
    }
    return new ArrayList<>(out.values());
  }

  /**
   * Model {@code id}'s state: ready when a live worker serving it is warm, loading when the only
   * ones are still starting, not loaded when no live worker serves it (its jobs wait in the queue
   * for one).
   */
  public ModelSet.Status status(String id) {
    boolean starting = false;
    for (Worker w : live()) {
      if (w.models().stream().anyMatch(m -> m.id().equals(id))) {
        if (w.state() != Worker.State.STARTING) {
          return ModelSet.Status.READY;
        }
        starting = true;
      }
    }
    return starting
        ? new ModelSet.Status(ModelSet.State.LOADING, 0, "a worker is loading it")
        : new ModelSet.Status(
            ModelSet.State.NOT_LOADED, 0, "no live worker serves it; its jobs wait in the queue");
  }
}
