package dev.atelier.engine.onnx.hub;

import dev.atelier.core.AtelierException.Cancelled;
import dev.atelier.core.AtelierException.ModelUnavailable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** Runs an attempt again after transient failures, waiting as a {@link RetryPolicy} says. */
final class Retrier {

  private static final System.Logger LOG = System.getLogger(Retrier.class.getName());

  /** Waits; the real one sleeps the thread, tests record the waits instead. */
  @FunctionalInterface
  interface Sleeper {
    Sleeper THREAD = duration -> Thread.sleep(duration);

    void sleep(Duration duration) throws InterruptedException;
  }

  /** One try of the work; throws {@link TransientFailure} when another try may succeed. */
  @FunctionalInterface
  interface Attempt<T> {
    T run() throws TransientFailure, IOException;
  }

  /** Builds the error thrown once every attempt failed. */
  @FunctionalInterface
  interface GiveUp {
    ModelUnavailable error(int attempts, TransientFailure last) throws IOException;
  }

  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final RandomGenerator random;

  Retrier(RetryPolicy policy, Sleeper sleeper, RandomGenerator random) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.random = Objects.requireNonNull(random, "random");
  }

  RetryPolicy policy() {
    return policy;
  }

  /**
   * Runs {@code attempt} until it returns, throws anything but a {@link TransientFailure}, or has
   * failed transiently {@link RetryPolicy#attempts()} times, when {@code giveUp}'s error is thrown.
   */
  <T> T run(String what, Attempt<T> attempt, GiveUp giveUp) throws IOException {
    for (int tried = 1; ; tried++) {
      try {
        return attempt.run();
      } catch (TransientFailure e) {
        if (tried >= policy.attempts()) {
          throw giveUp.error(tried, e);
        }
        Duration wait = delay(tried, e);
        LOG.log(
            System.Logger.Level.DEBUG,
            "{0}: attempt {1} of {2} failed ({3}); retrying in {4}",
            what,
            tried,
            policy.attempts(),
            e.getMessage(),
            wait);
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new Cancelled(what + " was interrupted while waiting to retry");
        }
      }
    }
  }

  /** The wait before retry {@code retry}: the server's {@code Retry-After}, else jittered. */
  Duration delay(int retry, TransientFailure failure) {
    Optional<Duration> asked = failure.retryAfter();
    if (asked.isPresent()) {
      Duration d = asked.get();
      return d.compareTo(RetryPolicy.MAX_RETRY_AFTER) > 0 ? RetryPolicy.MAX_RETRY_AFTER : d;
    }
    long nanos = policy.backoff(retry).toNanos();
    long half = nanos / 2;
    return Duration.ofNanos(nanos - half + random.nextLong(half + 1));
  }

  /**
   * Reads a {@code Retry-After} value: seconds, or an HTTP date (the wait until then from {@code
   * now}); empty when absent or unreadable.
   */
  static Optional<Duration> parseRetryAfter(Optional<String> header, Instant now) {
    if (header.isEmpty() || header.get().isBlank()) {
      return Optional.empty();
    }
    String value = header.get().strip();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
    } catch (NumberFormatException notSeconds) {
      // An HTTP date, tried next.
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException unreadable) {
      return Optional.empty();
    }
  }
}
