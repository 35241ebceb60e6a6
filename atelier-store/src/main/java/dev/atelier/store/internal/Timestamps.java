package dev.atelier.store.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Instants as the store writes them: ISO-8601 UTC text with exactly nine fraction digits.
 *
 * <p>{@link Instant#toString()} writes 0, 3, 6 or 9 fraction digits, so its text order is not time
 * order ({@code 12:00:00Z} sorts after {@code 12:00:00.500Z}); the fixed width makes the
 * newest-first listings a plain text {@code ORDER BY} that both databases index. {@link
 * Instant#parse} reads both forms back to the same instant.
 */
public final class Timestamps {
  private static final DateTimeFormatter FIXED =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** {@code t} with nine fraction digits, e.g. {@code 2025-03-01T12:00:00.120000000Z}. */
  public static String sortable(Instant t) {
    return FIXED.format(t);
  }
}
