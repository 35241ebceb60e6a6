package dev.atelier.store.internal;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database's schema up to the version this code knows, with Flyway (ADR 0024).
 *
 * <p>The scripts are {@code V<n>__name.sql} under {@link Dialect#migrationFolder()}, one folder per
 * dialect; Flyway applies each pending one in its own transaction and records it in {@code
 * flyway_schema_history}. A database made by the home-made migrator that came before (its own
 * {@code schema_version} table) is taken over without running any DDL again: Flyway records a
 * baseline at the version that table holds, then applies what is newer. A database written by a
 * newer Atelier is refused rather than guessed at, because older code could corrupt tables it does
 * not understand. All of it runs under a {@link MigrationLock}, so concurrent starts migrate once.
 */
public final class Migrations {
  /** Flyway's history table. */
  public static final String HISTORY_TABLE = "flyway_schema_history";

  /** The home-made migrator's table; version 7 keeps it, as a fence, so older code refuses. */
  static final String LEGACY_TABLE = "schema_version";

  /** The last version the home-made migrator wrote. */
  static final int LAST_LEGACY_VERSION = 6;

  private static final int LATEST = 10;
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /** The newest schema version this code knows. */
  public static int latestVersion() {
    return LATEST;
  }

  /**
   * Applies every migration newer than the database's version, taking over a database of the
   * home-made migrator first.
   *
   * @param database how to name the database in messages (kind and location, no credentials)
   * @return the schema version afterwards
   * @throws AtelierException.StorageFailure when the database is newer than this code, or a
   *     migration fails (that migration is rolled back; earlier ones stay applied)
   */
  public static int migrate(
      Dialect dialect, DataSource dataSource, MigrationLock lock, String database) {
    MigrationLock.Held held;
    try {
      held = lock.acquire();
    } catch (SQLException | IOException e) {
      throw new AtelierException.StorageFailure(
          "cannot open " + database + ": " + e.getMessage(), e);
    }
    try (held) {
      return underLock(dialect, dataSource, database);
    } catch (SQLException | IOException | FlywayException e) {
      throw new AtelierException.StorageFailure(
          "migrating " + database + " failed: " + e.getMessage(), e);
    }
  }

  private static int underLock(Dialect dialect, DataSource dataSource, String database)
      throws SQLException {
    boolean history;
    OptionalInt legacy;
    try (Connection c = dataSource.getConnection()) {
      history = dialect.tableExists(c, HISTORY_TABLE);
      legacy = history ? OptionalInt.empty() : legacyVersion(dialect, c);
      if (history) {
        refuseNewer(newestApplied(c));
      }
    }
    if (legacy.isPresent()) {
      int found = legacy.getAsInt();
      if (found > LAST_LEGACY_VERSION) {
        // Only Flyway writes 7 and up there, so its history table should be here too.
        throw new AtelierException.StorageFailure(
            LEGACY_TABLE
                + " says version "
                + found
                + " but "
                + HISTORY_TABLE
                + " is missing; expected both, or "
                + LEGACY_TABLE
                + " at "
                + LAST_LEGACY_VERSION
                + " or older (was the history table dropped?)",
            null);
      }
      configure(dialect, dataSource)
          .baselineVersion(String.valueOf(found))
          .baselineDescription("schema of the migrator before Flyway")
          .load()
          .baseline();
    }
    MigrateResult result =
        configure(dialect, dataSource)
            // A schema with other applications' tables and no history: start from nothing, as
            // the home-made migrator did, rather than refuse.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
    if (result.migrationsExecuted > 0 || legacy.isPresent()) {
      LOG.info(
          "migrated {} from schema version {} to {} ({} migrations{})",
          database,
          legacy.isPresent()
              ? legacy.getAsInt()
              : result.initialSchemaVersion == null ? 0 : result.initialSchemaVersion,
          LATEST,
          result.migrationsExecuted,
          legacy.isPresent() ? "; taken over from the migrator before Flyway" : "");
    }
    return LATEST;
  }

  private static FluentConfiguration configure(Dialect dialect, DataSource dataSource) {
    return Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:" + dialect.migrationFolder().substring(1))
        .table(HISTORY_TABLE)
        .validateMigrationNaming(true)
        .cleanDisabled(true);
  }

  private static OptionalInt legacyVersion(Dialect dialect, Connection c) throws SQLException {
    if (!dialect.tableExists(c, LEGACY_TABLE)) {
      return OptionalInt.empty();
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + LEGACY_TABLE)) {
      rs.next();
      return OptionalInt.of(rs.getInt(1));
    }
  }

  /** The largest successfully applied version in Flyway's history, 0 when none. */
  private static int newestApplied(Connection c) throws SQLException {
    int newest = 0;
    try (PreparedStatement p =
            c.prepareStatement(
                "SELECT version FROM " + HISTORY_TABLE + " WHERE success AND version IS NOT NULL");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        try {
          newest = Math.max(newest, Integer.parseInt(rs.getString(1)));
        } catch (NumberFormatException e) {
          // A dotted version (1.1) is none of ours: count it by its major part.
          newest = Math.max(newest, Integer.parseInt(rs.getString(1).split("\\.")[0]));
        }
      }
    }
    return newest;
  }

  private static void refuseNewer(int current) {
    if (current > LATEST) {
      throw new AtelierException.StorageFailure(
          "database schema version is "
              + current
              + " but this Atelier knows versions up to "
              + LATEST
              + "; expected "
              + LATEST
              + " or older (was the database written by a newer Atelier?)",
          null);
    }
  }
}
