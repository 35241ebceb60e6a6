package dev.atelier.store.internal;

import dev.atelier.store.OwnerScope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A row's place in a newest-first listing: its stored {@code created_at} text and its id, the
 * columns the listings order and page by.
 */
public record Cursor(String createdAt, String id) {
  /** Before every row: a listing from the newest. */
  public static final Cursor NEWEST = new Cursor("", "");

  /** Whether this is {@link #NEWEST}. */
  public boolean isNewest() {
    return id.isEmpty();
  }

  /**
   * The cursor that {@code sql} (selecting created_at, id and owner for one id) finds, if any and
   * of {@code owners}: another owner's row is no cursor, as if it did not exist.
   */
  static Optional<Cursor> of(Connection c, String sql, OwnerScope owners, String id)
      throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, id);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next() || !(owners.everyone() || owners.owner().equals(rs.getString("owner")))) {
          return Optional.empty();
        }
        return Optional.of(new Cursor(rs.getString("created_at"), rs.getString("id")));
      }
    }
  }
}
