package dev.atelier.store.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What differs between the SQL databases the store supports; everything else is shared SQL.
 *
 * <p>The differences are kept to connection setup, catalog queries, and how a round's creation
 * sequence number is assigned.
 */
public enum Dialect {
  /** SQLite through sqlite-jdbc: one file, one connection, WAL. */
  SQLITE("sqlite"),
  /** PostgreSQL through pgjdbc. */
  POSTGRESQL("postgresql");

  private final String kind;

  Dialect(String kind) {
    this.kind = kind;
  }

  /** The name used in logs and in the migration resource folder ({@code sqlite}, ...). */
  public String kind() {
    return kind;
  }

  /** The classpath folder holding this dialect's {@code V<n>__name.sql} files. */
  public String migrationFolder() {
    return "/dev/atelier/store/migrations/" + kind + "/";
  }

  /**
   * The driver properties a connection opens with. SQLite: transactions begin IMMEDIATE (taking the
   * write lock at BEGIN), because two processes in deferred transactions that read and then write
   * (a job claim) deadlock on the lock upgrade and one fails at once with SQLITE_BUSY; waiting at
   * BEGIN lets the busy timeout do its work.
   */
  public java.util.Properties connectionProperties() {
    java.util.Properties p = new java.util.Properties();
    if (this == SQLITE) {
      p.setProperty("transaction_mode", "IMMEDIATE");
    }
    return p;
  }

  /**
   * Prepares a freshly opened connection (still in auto-commit mode).
   *
   * <p>SQLite: WAL so that readers never block the writer, {@code synchronous=FULL} so that a
   * commit survives power loss, foreign keys on (SQLite leaves them off per connection), and a busy
   * timeout so another process holding the lock briefly does not fail a call at once.
   */
  public void configure(Connection connection) throws SQLException {
    if (this != SQLITE) {
      return;
    }
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=FULL");
      s.execute("PRAGMA foreign_keys=ON");
      s.execute("PRAGMA busy_timeout=10000");
    }
  }

  /** Whether the connection's current schema has a table {@code name} (lower case). */
  public boolean tableExists(Connection connection, String name) throws SQLException {
    String sql =
        switch (this) {
          case SQLITE -> "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?";
          case POSTGRESQL ->
              "SELECT COUNT(*) FROM information_schema.tables"
                  + " WHERE table_schema = current_schema() AND table_name = ?";
        };
    try (java.sql.PreparedStatement p = connection.prepareStatement(sql)) {
      p.setString(1, name);
      try (java.sql.ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  /** The first key of the transaction-scoped advisory locks {@link #lockKey} takes ("ATLK"). */
  private static final int KEY_LOCK_CLASS = 0x41544C4B;

  /**
   * Holds the lock of API key {@code keyId} until the transaction ends, so that transactions
   * counting and adding a key's jobs run one at a time. PostgreSQL: an advisory lock on the hash of
   * the key's id (a collision only makes two keys wait for each other). SQLite: nothing, since its
   * transactions take the write lock at BEGIN ({@link #connectionProperties}).
   */
  public void lockKey(Connection connection, String keyId) throws SQLException {
    if (this != POSTGRESQL) {
      return;
    }
    try (java.sql.PreparedStatement p =
        connection.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
      p.setInt(1, KEY_LOCK_CLASS);
      p.setString(2, keyId);
      p.executeQuery().close();
    }
  }

  /**
   * The INSERT for a round; parameters are id, session_id, parent_id, kind, image_id, instruction,
   * params, rounds_since_restart, created_at.
   *
   * <p>PostgreSQL fills {@code seq} from an identity column. SQLite has no sequences outside the
   * rowid, so the next number is computed in the same statement, which SQLite's single writer makes
   * race-free.
   */
  public String insertRoundSql() {
    String columns =
        "id, session_id, parent_id, kind, image_id, instruction, params, rounds_since_restart,"
            + " created_at";
    return switch (this) {
      case SQLITE ->
          "INSERT INTO rounds ("
              + columns
              + ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
              + " (SELECT COALESCE(MAX(seq), 0) + 1 FROM rounds))";
      case POSTGRESQL -> "INSERT INTO rounds (" + columns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    };
  }
}
