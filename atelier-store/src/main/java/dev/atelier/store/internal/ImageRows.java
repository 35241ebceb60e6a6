package dev.atelier.store.internal;

import dev.atelier.core.session.StoredImage;
import dev.atelier.store.OwnerScope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** SQL for the {@code images} table; every method runs inside the caller's transaction. */
public final class ImageRows {
  private static final String COLUMNS =
      "id, sha256, format, width, height, created_at, session_id, parent_image_id, provenance,"
          + " owner";

  private ImageRows() {}

  /** Inserts one image row; fails on a duplicate id. */
  public static void insert(Connection c, StoredImage image) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO images ("
                + COLUMNS
                + ", kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setString(1, image.id());
      p.setString(2, image.sha256());
      p.setString(3, image.format());
      p.setInt(4, image.width());
      p.setInt(5, image.height());
      p.setString(6, Timestamps.sortable(image.createdAt()));
      p.setString(7, image.sessionId());
      p.setString(8, image.parentImageId());
      p.setString(9, JsonMaps.write(image.provenance()));
      p.setString(10, image.owner());
      p.setString(
          11, image.provenance().getOrDefault("kind", "").equals("mask") ? "mask" : "image");
      p.executeUpdate();
    }
  }

  /** The image with {@code id}, if any. */
  public static Optional<StoredImage> find(Connection c, String id) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT " + COLUMNS + " FROM images WHERE id = ?")) {
      p.setString(1, id);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(row(rs));
      }
    }
  }

  /**
   * At most {@code limit} images of {@code owners} (and of {@code sessionId} unless it is {@code
   * ""}) older than {@code cursor} in (created_at, id) order, newest first.
   */
  public static List<StoredImage> newestFirst(
      Connection c, OwnerScope owners, String sessionId, Cursor cursor, int limit)
      throws SQLException {
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM images WHERE kind = 'image'"
            + (owners.everyone() ? "" : " AND owner = ?")
            + (sessionId.isEmpty() ? "" : " AND session_id = ?")
            + (cursor.isNewest() ? "" : " AND (created_at, id) < (?, ?)")
            + " ORDER BY created_at DESC, id DESC LIMIT ?";
    try (PreparedStatement p = c.prepareStatement(sql)) {
      int i = 1;
      if (!owners.everyone()) {
        p.setString(i++, owners.owner());
      }
      if (!sessionId.isEmpty()) {
        p.setString(i++, sessionId);
      }
      if (!cursor.isNewest()) {
        p.setString(i++, cursor.createdAt());
        p.setString(i++, cursor.id());
      }
      p.setInt(i, limit);
      List<StoredImage> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    }
  }

  /** Where image {@code id} sits in the listing order, if it exists and is of {@code owners}. */
  public static Optional<Cursor> cursor(Connection c, OwnerScope owners, String id)
      throws SQLException {
    return Cursor.of(c, "SELECT created_at, id, owner FROM images WHERE id = ?", owners, id);
  }

  private static StoredImage row(ResultSet rs) throws SQLException {
    return new StoredImage(
        rs.getString("id"),
        rs.getString("sha256"),
        rs.getString("format"),
        rs.getInt("width"),
        rs.getInt("height"),
        Instant.parse(rs.getString("created_at")),
        rs.getString("session_id"),
        rs.getString("parent_image_id"),
        JsonMaps.read(rs.getString("provenance"), "images.provenance"),
        rs.getString("owner"));
  }

  /** Every distinct sha256 that some row names. */
  public static Set<String> referencedBlobs(Connection c) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement p = c.prepareStatement("SELECT DISTINCT sha256 FROM images");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** Clears the session id of every image of {@code sessionId}. */
  public static void detachFromSession(Connection c, String sessionId) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("UPDATE images SET session_id = '' WHERE session_id = ?")) {
      p.setString(1, sessionId);
      p.executeUpdate();
    }
  }
}
