package dev.atelier.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A flag the caller sets to stop a running generation; engines check it between steps, and may
 * {@linkplain #onCancel register} to stop a long native call as soon as it is set.
 *
 * <p>Thread-safe: any thread may cancel, the engine's thread observes it at its next check.
 */
public final class CancellationToken {
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /** Undoes an {@link #onCancel} registration. */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** A token nobody will cancel. */
  public static CancellationToken none() {
    return new CancellationToken();
  }

  /** Asks the work to stop at its next check, and tells the registered listeners. */
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      listeners.forEach(Runnable::run);
    }
  }

  /**
   * Runs {@code onCancel} when this token is cancelled (at once, on this thread, if it already is),
   * until the returned registration is closed; {@code onCancel} runs on the cancelling thread and
   * must be quick.
   */
  public Registration onCancel(Runnable onCancel) {
    listeners.add(onCancel);
    if (cancelled.get()) {
      onCancel.run();
    }
    return () -> listeners.remove(onCancel);
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
