package dev.atelier.store;

import java.util.Arrays;
import java.util.Optional;

/** Where a job is in its life: queued, then in progress, then one of the three ends. */
public enum JobStatus {
  /** Waiting for a worker. */
  QUEUED("queued"),
  /** Claimed by a worker that holds its lease. */
  IN_PROGRESS("in_progress"),
  /** Ran; its result (and images) are stored. */
  COMPLETED("completed"),
  /** Ran and failed, or was interrupted too often; its error is stored. */
  FAILED("failed"),
  /** Cancelled before it finished; it stored nothing. */
  CANCELLED("cancelled");

  private final String wire;

  JobStatus(String wire) {
    this.wire = wire;
  }

  /** The name on the wire and in the {@code status} column ({@code in_progress}, ...). */
  public String wire() {
    return wire;
  }

  /** Whether the job has ended (completed, failed or cancelled) and will not change again. */
  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  /** The status named {@code wire}, if it is one. */
  public static Optional<JobStatus> of(String wire) {
    return Arrays.stream(values()).filter(s -> s.wire.equals(wire)).findFirst();
  }
}
