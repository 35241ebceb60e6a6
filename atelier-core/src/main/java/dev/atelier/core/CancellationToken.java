package dev.atelier.core;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A flag the caller sets to stop a running generation; engines check it between steps.
 *
 * <p>Thread-safe: any thread may cancel, the engine's thread observes it at its next check.
 */
public final class CancellationToken {
  private final AtomicBoolean cancelled = new AtomicBoolean();

  /** A token nobody will cancel. */
  public static CancellationToken none() {
    return new CancellationToken();
  }

  /** Asks the work to stop at its next check. */
  public void cancel() {
    cancelled.set(true);
  }

  /** True once {@link #cancel()} was called. */
  public boolean isCancelled() {
    return cancelled.get();
  }

  /**
   * Stops the current work when cancelled.
   *
   * @throws AtelierException.Cancelled when {@link #cancel()} was called; {@code where} says where
   *     it stopped
   */
  public void throwIfCancelled(String where) {
    if (cancelled.get()) {
      throw new AtelierException.Cancelled("cancelled " + where);
    }
  }
}
