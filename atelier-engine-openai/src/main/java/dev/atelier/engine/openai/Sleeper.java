package dev.atelier.engine.openai;

import java.time.Duration;

/**
 * Waits between retries; tests pass a recording fake so that backoff is asserted without waiting.
 */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps the calling thread with {@link Thread#sleep(Duration)}. */
  Sleeper SYSTEM = Thread::sleep;

  /**
   * Waits for {@code duration}.
   *
   * @throws InterruptedException when the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
