package dev.atelier.store;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Per-key counters in fixed windows, shared by every process on one database: the requests of a
 * key's minute and the images of its UTC day (docs/adr/0025-rate-limits-in-the-database.md).
 *
 * <p>{@link #take} checks and counts in one statement, so two processes taking the last place at
 * once never both get it, and a refused take changes nothing. Rows of ended windows stay until
 * {@link #purge}.
 */
public interface RateCounters {

  /** A kind of fixed window, aligned to the Unix epoch (UTC). */
  enum Window {
    /** 60 s windows starting on the minute. */
    MINUTE("minute", 60),
    /** UTC days, starting at 00:00 UTC. */
    DAY("day", 86_400);

    private final String kind;
    private final long seconds;

    Window(String kind, long seconds) {
      this.kind = kind;
      this.seconds = seconds;
    }

    /** The name stored in the {@code kind} column. */
    public String kind() {
      return kind;
    }

    /** The window's length in seconds. */
    public long seconds() {
      return seconds;
    }

    /** The start (Unix seconds) of the window {@code t} falls in. */
    public long start(Instant t) {
      return Math.floorDiv(t.getEpochSecond(), seconds) * seconds;
    }

    /** When the window starting at {@code start} ends (the next one's start). */
    public Instant end(long start) {
      return Instant.ofEpochSecond(start + seconds);
    }
  }

  /** One counter: a key's count in one window. */
  record Counter(String keyId, Window window, long start) {
    /** Validates the values. */
    public Counter {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(window, "window");
      if (start % window.seconds() != 0) {
        throw new IllegalArgumentException(
            "a " + window.kind() + " window must start on its boundary but started at " + start);
      }
    }

    /** The counter of {@code keyId}'s window of kind {@code window} that {@code at} falls in. */
    public static Counter at(String keyId, Window window, Instant at) {
      return new Counter(keyId, window, window.start(at));
    }

    /** When this counter's window ends. */
    public Instant end() {
      return window.end(start);
    }
  }

  /**
   * Adds one to {@code counter} if it is below {@code limit}, in one statement.
   *
   * @return the count afterwards (1..limit), or empty when the count had reached {@code limit}
   *     (nothing was changed)
   * @throws IllegalArgumentException when {@code limit} is below 1
   */
  OptionalInt take(Counter counter, int limit);

  /**
   * Adds {@code delta} (which may be negative) to {@code counter}, if it exists; never below 0. For
   * a count that was known only after {@link #take} (the images a request made).
   */
  void add(Counter counter, int delta);

  /** The count of {@code counter}, 0 when it has none. */
  int count(Counter counter);

  /**
   * Deletes the counters of windows that ended at or before {@code now}.
   *
   * @return how many were deleted
   */
  int purge(Instant now);
}
