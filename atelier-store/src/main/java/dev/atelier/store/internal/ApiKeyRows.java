package dev.atelier.store.internal;

import dev.atelier.store.ApiKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** SQL for the {@code api_keys} table; every method runs inside the caller's transaction. */
public final class ApiKeyRows {
  private static final String COLUMNS =
      "id, name, owner, prefix, hash, scopes, requests_per_minute, images_per_day,"
          + " concurrent_generations, created_at, last_used_at, revoked_at";

  private ApiKeyRows() {}

  /** Whether an active key is named {@code name}. */
  public static boolean activeNameTaken(Connection c, String name) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT 1 FROM api_keys WHERE name = ? AND revoked_at = ''")) {
      p.setString(1, name);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Inserts one key row. */
  public static void insert(Connection c, ApiKey key) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO api_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setString(1, key.id());
      p.setString(2, key.name());
      p.setString(3, key.owner());
      p.setString(4, key.prefix());
      p.setString(5, key.hash());
      p.setString(6, String.join(",", new TreeSet<>(key.scopes())));
      p.setInt(7, key.requestsPerMinute());
      p.setInt(8, key.imagesPerDay());
      p.setInt(9, key.concurrentGenerations());
      p.setString(10, Timestamps.sortable(key.createdAt()));
      p.setString(11, key.lastUsedAt().map(Timestamps::sortable).orElse(""));
      p.setString(12, key.revokedAt().map(Timestamps::sortable).orElse(""));
      p.executeUpdate();
    }
  }

  /** Every key, oldest first. */
  public static List<ApiKey> all(Connection c) throws SQLException {
    try (PreparedStatement p =
            c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at, id");
        ResultSet rs = p.executeQuery()) {
      List<ApiKey> out = new ArrayList<>();
      while (rs.next()) {
        out.add(read(rs));
      }
      return out;
    }
  }

  /** The active key whose id or name is {@code idOrName}. */
  public static Optional<ApiKey> active(Connection c, String idOrName) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM api_keys WHERE (id = ? OR name = ?) AND revoked_at = ''")) {
      p.setString(1, idOrName);
      p.setString(2, idOrName);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /** Sets {@code column} (a timestamp column) of key {@code id}; false when no row changed. */
  public static boolean stamp(Connection c, String id, String column, Instant at)
      throws SQLException {
    if (!column.equals("last_used_at") && !column.equals("revoked_at")) {
      throw new IllegalArgumentException("not a timestamp column of api_keys: " + column);
    }
    try (PreparedStatement p =
        c.prepareStatement("UPDATE api_keys SET " + column + " = ? WHERE id = ?")) {
      p.setString(1, Timestamps.sortable(at));
      p.setString(2, id);
      return p.executeUpdate() == 1;
    }
  }

  private static ApiKey read(ResultSet rs) throws SQLException {
    Set<String> scopes = Set.copyOf(Arrays.asList(rs.getString("scopes").split(",")));
    return new ApiKey(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("owner"),
        rs.getString("prefix"),
        rs.getString("hash"),
        scopes,
        rs.getInt("requests_per_minute"),
        rs.getInt("images_per_day"),
        rs.getInt("concurrent_generations"),
        Instant.parse(rs.getString("created_at")),
        instant(rs.getString("last_used_at")),
        instant(rs.getString("revoked_at")));
  }

  private static Optional<Instant> instant(String text) {
    return text.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(text));
  }
}
