package dev.atelier.engine.onnx.hub;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently {@link HubClient} asks the Hub again after a transient failure.
 *
 * <p>Transient failures are a connection cut or reset mid-answer, a timeout, an HTTP 5xx and an
 * HTTP 429; refusals (401, 403, 404) and a corrupt file are final. Waits double from {@code
 * initialDelay} up to {@code maxDelay}, and each is drawn at random from its upper half (so that
 * many clients cut at once do not come back at once): with {@link #DEFAULT}, 0.5-1, 1-2, 2-4, 4-8
 * and 8-16 seconds. A {@code Retry-After} header replaces the drawn wait, up to {@link
 * #MAX_RETRY_AFTER}. A download resumes from its {@code .part} file on every retry.
 *
 * <p>A transfer that stalls (the server keeps the connection open but sends nothing) is a transient
 * failure too, once no byte has arrived for {@code stallTimeout}: the connection is dropped and the
 * next attempt resumes. The stall timeout lives here rather than in {@link HubConfig} because it is
 * part of the same patience: it decides when a stuck attempt counts as failed, and with the retries
 * it bounds how long a pull can hang on a bad line; {@code HubConfig} says where the Hub is and who
 * asks, not how long to wait for it.
 *
 * @param maxRetries attempts after the first one, 0..100
 * @param initialDelay the wait before the first retry, before jitter; positive
 * @param maxDelay the longest wait before jitter; at least {@code initialDelay}
 * @param stallTimeout how long a response body may send no byte before the attempt is abandoned;
 *     positive
 */
public record RetryPolicy(
    int maxRetries, Duration initialDelay, Duration maxDelay, Duration stallTimeout) {

  /** The stall timeout unless one is given: a minute without a byte, as the headers' timeout. */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Five retries after waits of about 1, 2, 4, 8 and 16 seconds, as {@code huggingface_hub}, and a
   * stall timeout of {@link #DEFAULT_STALL_TIMEOUT}.
   */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(16));

  /** The longest {@code Retry-After} honoured; a server asking for more gets this. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  /** A policy with the {@link #DEFAULT_STALL_TIMEOUT}. */
  public RetryPolicy(int maxRetries, Duration initialDelay, Duration maxDelay) {
    this(maxRetries, initialDelay, maxDelay, DEFAULT_STALL_TIMEOUT);
  }

  /** Validates the values. */
  public RetryPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(stallTimeout, "stallTimeout");
    if (maxRetries < 0 || maxRetries > 100) {
      throw new IllegalArgumentException("maxRetries must be 0..100 but was " + maxRetries);
    }
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initialDelay must be positive but was " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay must be at least initialDelay (" + initialDelay + ") but was " + maxDelay);
    }
    if (stallTimeout.isNegative() || stallTimeout.isZero()) {
      throw new IllegalArgumentException("stallTimeout must be positive but was " + stallTimeout);
    }
  }

  /** This policy with another stall timeout. */
  public RetryPolicy withStallTimeout(Duration timeout) {
    return new RetryPolicy(maxRetries, initialDelay, maxDelay, timeout);
  }

  /** Attempts in all: the first one and the retries. */
  public int attempts() {
    return maxRetries + 1;
  }

  /**
   * The wait before retry number {@code retry} (1 for the first), before jitter.
   *
   * @throws IllegalArgumentException when {@code retry} is below 1
   */
  public Duration backoff(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be at least 1 but was " + retry);
    }
    Duration delay = initialDelay;
    for (int i = 1; i < retry && delay.compareTo(maxDelay) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxDelay) < 0 ? delay : maxDelay;
  }
}
