package dev.atelier.store;

import java.time.Instant;
import java.util.List;

/**
 * The {@code workers} table: each process that runs jobs reports itself here, so that an operator
 * (and an API node that loads no model) sees who serves what. Every method is one transaction.
 */
public interface WorkerStore {
  /** Inserts {@code worker}'s row, or replaces the row of the same id (registration, heartbeat). */
  void reportWorker(Worker worker);

  /** Every worker row, oldest registration first. */
  List<Worker> workers();

  /** Deletes worker {@code id}'s row (a clean stop). */
  void removeWorker(String id);

  /**
   * Deletes the rows whose heartbeat is older than {@code before} (processes that died).
   *
   * @return how many were deleted
   */
  int pruneWorkers(Instant before);
}
