package dev.atelier.store.internal;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a database's schema up to the version this code knows, one migration per transaction.
 *
 * <p>The applied versions are rows of {@code schema_version}; the current version is the largest.
 * Opening an up-to-date database applies nothing. A database written by a newer Atelier is refused
 * rather than guessed at, because older code could corrupt tables it does not understand.
 */
public final class Migrator {

  /**
   * The migration files, in order; each {@code V<n>__*.sql} exists once per dialect. Listed here
   * because a classpath folder inside a jar cannot be listed portably.
   */
  static final List<String> FILES =
      List.of(
          "V1__init.sql",
          "V2__listing_order.sql",
          "V3__image_kind.sql",
          "V4__api_keys.sql",
          "V5__owners.sql",
          "V6__jobs.sql");

  private Migrator() {}

  /** One migration script. */
  record Migration(int version, String file, String sql) {}

  /** The newest schema version this code knows. */
  public static int latestVersion() {
    return version(FILES.getLast());
  }

  /**
   * Applies every migration newer than the database's version.
   *
   * @return the schema version afterwards
   * @throws AtelierException.StorageFailure when the database is newer than this code, or a
   *     migration fails (that migration is rolled back; earlier ones stay applied)
   */
  public static int migrate(Transactor transactor, Dialect dialect) {
    int latest = latestVersion();
    int found =
        transactor.inTransaction(
            "reading the schema version",
            c -> {
              dialect.lockForMigration(c);
              createVersionTable(c);
              return checkedVersion(c, latest);
            });
    for (String file : FILES) {
      int version = version(file);
      if (version <= found) {
        continue;
      }
      Migration m = new Migration(version, file, read(dialect.migrationFolder() + file));
      transactor.inTransaction(
          "applying migration " + dialect.kind() + "/" + file,
          c -> {
            // Another process may have applied it between our read and our lock.
            dialect.lockForMigration(c);
            if (checkedVersion(c, latest) >= m.version()) {
              return null;
            }
            apply(c, m);
            return null;
          });
    }
    return latest;
  }

  private static void createVersionTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS schema_version"
              + " (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    }
  }

  private static int checkedVersion(Connection c, int latest) throws SQLException {
    int current;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
      rs.next();
      current = rs.getInt(1);
    }
    if (current > latest) {
      throw new AtelierException.StorageFailure(
          "database schema version is "
              + current
              + " but this Atelier knows versions up to "
              + latest
              + "; expected "
              + latest
              + " or older (was the database written by a newer Atelier?)",
          null);
    }
    return current;
  }

  private static void apply(Connection c, Migration m) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String statement : statements(m.sql())) {
        s.execute(statement);
      }
    }
    try (PreparedStatement p =
        c.prepareStatement("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
      p.setInt(1, m.version());
      p.setString(2, Instant.now().toString());
      p.executeUpdate();
    }
  }

  /** Splits a script into statements: {@code --} comment lines dropped, split at semicolons. */
  static List<String> statements(String sql) {
    StringBuilder body = new StringBuilder();
    for (String line : sql.split("\n", -1)) {
      if (!line.strip().startsWith("--")) {
        body.append(line).append('\n');
      }
    }
    List<String> out = new ArrayList<>();
    for (String part : body.toString().split(";")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  static int version(String file) {
    int end = file.indexOf("__");
    if (!file.startsWith("V") || end < 2) {
      throw new IllegalStateException(
          "migration file names must look like V<n>__name.sql but found " + file);
    }
    return Integer.parseInt(file.substring(1, end));
  }

  private static String read(String resource) {
    try (InputStream in = Migrator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration resource " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading migration " + resource, e);
    }
  }
}
