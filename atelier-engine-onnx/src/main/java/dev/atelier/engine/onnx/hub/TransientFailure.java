package dev.atelier.engine.onnx.hub;

import java.time.Duration;
import java.util.Optional;

/**
 * One attempt failed in a way that asking again may fix: a cut or reset connection, a timeout, an
 * HTTP 5xx or 429. Never leaves the package: {@link Retrier} turns the last one into a {@code
 * ModelUnavailable} that says how many attempts were made.
 */
final class TransientFailure extends Exception {

  private final transient Optional<Duration> retryAfter;

  TransientFailure(String message, Optional<Duration> retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  TransientFailure(String message, Throwable cause) {
    this(message, Optional.empty(), cause);
  }

  /** The wait the server asked for with {@code Retry-After}, if it did. */
  Optional<Duration> retryAfter() {
    return retryAfter;
  }
}
