package dev.atelier.store.internal;

import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.store.OwnerScope;
import dev.atelier.store.SessionSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SQL for the {@code sessions} and {@code rounds} tables; every method runs inside the caller's
 * transaction.
 */
public final class SessionRows {
  private SessionRows() {}

  /** Inserts the session row (without its rounds). */
  public static void insertSession(Connection c, Session session) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO sessions (id, created_at, head_round_id, owner) VALUES (?, ?, ?, ?)")) {
      p.setString(1, session.id());
      p.setString(2, Timestamps.sortable(session.createdAt()));
      p.setString(3, session.headRoundId());
      p.setString(4, session.owner());
      p.executeUpdate();
    }
  }

  /** Inserts one round; its creation sequence number is assigned by the database. */
  public static void insertRound(Connection c, Dialect dialect, Round round) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(dialect.insertRoundSql())) {
      p.setString(1, round.id());
      p.setString(2, round.sessionId());
      p.setString(3, round.parentId());
      p.setString(4, round.kind().name());
      p.setString(5, round.imageId());
      p.setString(6, round.instruction());
      p.setString(7, JsonMaps.write(round.params()));
      p.setInt(8, round.roundsSinceRestart());
      p.setString(9, round.createdAt().toString());
      p.executeUpdate();
    }
  }

  /** True when round {@code roundId} exists and belongs to {@code sessionId}. */
  public static boolean roundInSession(Connection c, String sessionId, String roundId)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT 1 FROM rounds WHERE id = ? AND session_id = ?")) {
      p.setString(1, roundId);
      p.setString(2, sessionId);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Points the session's head at {@code roundId}.
   *
   * @return false when the session does not exist
   */
  public static boolean setHead(Connection c, String sessionId, String roundId)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("UPDATE sessions SET head_round_id = ? WHERE id = ?")) {
      p.setString(1, roundId);
      p.setString(2, sessionId);
      return p.executeUpdate() == 1;
    }
  }

  /**
   * The session and its rounds in creation order.
   *
   * <p>One joined query, so that PostgreSQL under READ COMMITTED reads the session and its rounds
   * from the same snapshot.
   */
  public static Optional<Session> load(Connection c, String id) throws SQLException {
    String sql =
        "SELECT s.created_at AS s_created_at, s.head_round_id, s.owner, r.id, r.parent_id, r.kind,"
            + " r.image_id, r.instruction, r.params, r.rounds_since_restart, r.created_at"
            + " FROM sessions s LEFT JOIN rounds r ON r.session_id = s.id"
            + " WHERE s.id = ? ORDER BY r.seq";
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, id);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        Instant createdAt = Instant.parse(rs.getString("s_created_at"));
        String head = rs.getString("head_round_id");
        String owner = rs.getString("owner");
        List<Round> rounds = new ArrayList<>();
        do {
          if (rs.getString("id") != null) {
            rounds.add(round(rs, id));
          }
        } while (rs.next());
        return Optional.of(new Session(id, createdAt, head, rounds, owner));
      }
    }
  }

  /**
   * Summaries of at most {@code limit} sessions of {@code owners} older than {@code cursor} in
   * (created_at, id) order, newest first; one statement, so one snapshot.
   */
  public static List<SessionSummary> newestFirst(
      Connection c, OwnerScope owners, Cursor cursor, int limit) throws SQLException {
    List<String> where = new ArrayList<>();
    if (!owners.everyone()) {
      where.add("s.owner = ?");
    }
    if (!cursor.isNewest()) {
      where.add("(s.created_at, s.id) < (?, ?)");
    }
    String sql =
        "SELECT s.id, s.created_at, s.head_round_id, h.image_id AS head_image_id,"
            + " (SELECT r.instruction FROM rounds r WHERE r.session_id = s.id"
            + " ORDER BY r.seq LIMIT 1) AS prompt,"
            + " (SELECT COUNT(*) FROM rounds r WHERE r.session_id = s.id) AS round_count"
            + " FROM sessions s JOIN rounds h ON h.id = s.head_round_id"
            + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
            + " ORDER BY s.created_at DESC, s.id DESC LIMIT ?";
    try (PreparedStatement p = c.prepareStatement(sql)) {
      int i = 1;
      if (!owners.everyone()) {
        p.setString(i++, owners.owner());
      }
      if (!cursor.isNewest()) {
        p.setString(i++, cursor.createdAt());
        p.setString(i++, cursor.id());
      }
      p.setInt(i, limit);
      List<SessionSummary> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(
              new SessionSummary(
                  rs.getString("id"),
                  Instant.parse(rs.getString("created_at")),
                  rs.getString("prompt"),
                  rs.getString("head_round_id"),
                  rs.getString("head_image_id"),
                  rs.getInt("round_count")));
        }
      }
      return out;
    }
  }

  /** Where session {@code id} sits in the listing order, if it exists and is of {@code owners}. */
  public static Optional<Cursor> cursor(Connection c, OwnerScope owners, String id)
      throws SQLException {
    return Cursor.of(c, "SELECT created_at, id, owner FROM sessions WHERE id = ?", owners, id);
  }

  private static Round round(ResultSet rs, String sessionId) throws SQLException {
    String kind = rs.getString("kind");
    Round.Kind parsed;
    try {
      parsed = Round.Kind.valueOf(kind);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          "rounds.kind must be one of CREATE, EDIT, RESTART but was " + kind, e);
    }
    return new Round(
        rs.getString("id"),
        sessionId,
        rs.getString("parent_id"),
        parsed,
        rs.getString("image_id"),
        rs.getString("instruction"),
        JsonMaps.read(rs.getString("params"), "rounds.params"),
        rs.getInt("rounds_since_restart"),
        Instant.parse(rs.getString("created_at")));
  }

  /**
   * Deletes the session and its rounds.
   *
   * @return false when there was no such session
   */
  public static boolean delete(Connection c, String id) throws SQLException {
    // Explicit, although the foreign key cascades, so that the rounds go even on a database
    // opened without foreign-key enforcement.
    try (PreparedStatement p = c.prepareStatement("DELETE FROM rounds WHERE session_id = ?")) {
      p.setString(1, id);
      p.executeUpdate();
    }
    try (PreparedStatement p = c.prepareStatement("DELETE FROM sessions WHERE id = ?")) {
      p.setString(1, id);
      return p.executeUpdate() == 1;
    }
  }
}
