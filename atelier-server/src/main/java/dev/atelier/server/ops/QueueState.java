package dev.atelier.server.ops;

/**
 * What the job queue says about itself for {@code /readyz}.
 *
 * @param depth jobs waiting now
 * @param capacity the most jobs that may wait; 0 when the queue is unbounded (or there is none)
 * @param draining whether the queue takes no new jobs because the server is shutting down
 */
public record QueueState(int depth, int capacity, boolean draining) {
  /** The state of a server without a job queue: nothing waits, nothing is refused. */
  public static final QueueState NONE = new QueueState(0, 0, false);

  /** Validates the values. */
  public QueueState {
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be >= 0 but was " + depth);
    }
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0 but was " + capacity);
    }
  }

  /** Whether no further job fits: a bounded queue at its capacity. */
  public boolean full() {
    return capacity > 0 && depth >= capacity;
  }
}
