package dev.atelier.engine.openai.internal;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How long to wait before a retry: the upstream's hint when it gives a usable one, else exponential
 * backoff with full jitter.
 *
 * <p>Hints are read as the OpenAI SDKs read them: {@code retry-after-ms} (milliseconds) first, then
 * {@code Retry-After} as seconds or as an HTTP date. A hint is used only when it lies in (0, 60 s];
 * a missing, malformed, past or longer hint falls back to the computed delay, so a misconfigured
 * proxy cannot park a request for an hour. The computed delay before retry {@code k} (0-based) is
 * uniform in {@code [0, min(cap, base * 2^k))} ("full jitter"), which spreads the retries of many
 * clients that failed together. Thread-safe when the random source is: draws are synchronised.
 */
public final class Backoff {
  /** The longest upstream hint that is honoured. */
  public static final Duration MAX_HINT = Duration.ofSeconds(60);

  private final Duration base;
  private final Duration cap;
  private final RandomGenerator random;
  private final Clock clock;

  /**
   * Creates the policy.
   *
   * @param base the ceiling of the first delay
   * @param cap the largest ceiling
   * @param random the jitter source
   * @param clock the time that HTTP-date hints are measured from
   */
  public Backoff(Duration base, Duration cap, RandomGenerator random, Clock clock) {
    this.base = base;
    this.cap = cap;
    this.random = random;
    this.clock = clock;
  }

  /** The ceiling of the jittered delay before retry {@code retry} (0-based). */
  public Duration ceiling(int retry) {
    long nanos = base.toNanos();
    for (int i = 0; i < retry && nanos < cap.toNanos(); i++) {
      nanos *= 2;
    }
    return Duration.ofNanos(Math.min(nanos, cap.toNanos()));
  }

  /** The delay before retry {@code retry} (0-based) after an answer with these headers. */
  public Duration delay(int retry, HttpHeaders headers) {
    Optional<Duration> hint = hint(headers);
    if (hint.isPresent()) {
      return hint.get();
    }
    double u;
    synchronized (random) {
      u = random.nextDouble();
    }
    return Duration.ofNanos((long) (u * ceiling(retry).toNanos()));
  }

  /** The upstream's usable hint, if it gave one. */
  Optional<Duration> hint(HttpHeaders headers) {
    Optional<Duration> ms = headers.firstValue("retry-after-ms").flatMap(Backoff::millis);
    Optional<Duration> hint =
        ms.isPresent() ? ms : headers.firstValue("retry-after").flatMap(this::retryAfter);
    return hint.filter(d -> d.compareTo(Duration.ZERO) > 0 && d.compareTo(MAX_HINT) <= 0);
  }

  private static Optional<Duration> millis(String v) {
    try {
      double ms = Double.parseDouble(v.trim());
      return Double.isFinite(ms)
          ? Optional.of(Duration.ofNanos((long) (ms * 1e6)))
          : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private Optional<Duration> retryAfter(String v) {
    String t = v.trim();
    try {
      double seconds = Double.parseDouble(t);
      return Double.isFinite(seconds)
          ? Optional.of(Duration.ofNanos((long) (seconds * 1e9)))
          : Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Optional.of(Duration.between(clock.instant(), at));
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}
