package dev.atelier.store.internal;

import dev.atelier.store.RateCounters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.OptionalInt;

/**
 * SQL for the {@code rate_counters} table; the same statements on SQLite (3.35 and newer, for
 * {@code RETURNING}) and PostgreSQL.
 */
public final class CounterRows {
  private CounterRows() {}

  /**
   * Inserts the counter at 1, or adds 1 while it is below {@code limit}: one statement, so the row
   * lock (PostgreSQL) or the single writer (SQLite) decides between processes taking the last place
   * at once. A refused take updates no row, so {@code RETURNING} gives none.
   */
  private static final String TAKE =
      "INSERT INTO rate_counters (key_id, kind, window_start, count) VALUES (?, ?, ?, 1)"
          + " ON CONFLICT (key_id, kind, window_start)"
          + " DO UPDATE SET count = rate_counters.count + 1 WHERE rate_counters.count < ?"
          + " RETURNING count";

  public static OptionalInt take(Connection c, RateCounters.Counter counter, int limit)
      throws SQLException {
    try (PreparedStatement p = c.prepareStatement(TAKE)) {
      bind(p, counter);
      p.setInt(4, limit);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
      }
    }
  }

  public static void add(Connection c, RateCounters.Counter counter, int delta)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE rate_counters SET count = CASE WHEN count + ? < 0 THEN 0 ELSE count + ? END"
                + " WHERE key_id = ? AND kind = ? AND window_start = ?")) {
      p.setInt(1, delta);
      p.setInt(2, delta);
      p.setString(3, counter.keyId());
      p.setString(4, counter.window().kind());
      p.setLong(5, counter.start());
      p.executeUpdate();
    }
  }

  public static int count(Connection c, RateCounters.Counter counter) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT count FROM rate_counters WHERE key_id = ? AND kind = ? AND window_start = ?")) {
      bind(p, counter);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  /** Deletes the rows of every window kind that ended at or before {@code now}. */
  public static int purge(Connection c, Instant now) throws SQLException {
    int deleted = 0;
    try (PreparedStatement p =
        c.prepareStatement("DELETE FROM rate_counters WHERE kind = ? AND window_start <= ?")) {
      for (RateCounters.Window w : RateCounters.Window.values()) {
        p.setString(1, w.kind());
        p.setLong(2, now.getEpochSecond() - w.seconds());
        deleted += p.executeUpdate();
      }
    }
    return deleted;
  }

  private static void bind(PreparedStatement p, RateCounters.Counter counter) throws SQLException {
    p.setString(1, counter.keyId());
    p.setString(2, counter.window().kind());
    p.setLong(3, counter.start());
  }
}
