package dev.atelier.store;

import static dev.atelier.store.Fixtures.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.internal.Migrations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Schema migrations (Flyway) on each database: fresh, reopened, concurrent starts, newer schemas,
 * and databases made by the home-made migrator that came before.
 */
abstract class MigrationContract extends StoreHarness {
  /** Every version from 1 to the latest, each applied once as a SQL migration. */
  private static List<String> allApplied() {
    return IntStream.rangeClosed(1, Migrations.latestVersion()).mapToObj(v -> "SQL " + v).toList();
  }

  @Test
  void reopeningAppliesNoMigrationTwice() throws SQLException {
    store().insertImage(image("img_1"));
    closeStores();
    reopen();
    reopen();

    assertThat(history()).isEqualTo(allApplied());
    assertThat(store().image("img_1")).isPresent();
  }

  @Test
  void concurrentStartsAgainstAnEmptyDatabaseMigrateItOnce() throws Exception {
    int starts = 6;
    CyclicBarrier together = new CyclicBarrier(starts);
    List<MetadataStore> stores = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(starts);
    try {
      List<Future<MetadataStore>> opening = new ArrayList<>();
      for (int i = 0; i < starts; i++) {
        opening.add(
            pool.submit(
                () -> {
                  together.await();
                  return openStore();
                }));
      }
      for (Future<MetadataStore> f : opening) {
        stores.add(f.get()); // throws if any start failed
      }
      for (int i = 0; i < starts; i++) {
        stores.get(i).insertImage(image("img_" + i));
      }
      assertThat(history()).isEqualTo(allApplied());
      assertThat(stores.getFirst().images(10, "").orElseThrow().items()).hasSize(starts);
    } finally {
      pool.shutdownNow();
      stores.forEach(MetadataStore::close);
    }
  }

  @Test
  void newerSchemaIsRefusedNamingBothVersions() throws SQLException {
    store();
    closeStores();
    int newer = Migrations.latestVersion() + 1;
    try (Connection c = rawConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
              + " checksum, installed_by, execution_time, success) VALUES (100, '"
              + newer
              + "', 'from the future', 'SQL', 'V"
              + newer
              + "__from_the_future.sql', 0, 'test', 0, TRUE)");
    }

    assertThatThrownBy(this::openStore)
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageContaining(
            "database schema version is "
                + newer
                + " but this Atelier knows versions up to "
                + Migrations.latestVersion());
  }

  @Test
  void aDatabaseOfTheOldMigratorIsTakenOverWithoutRunningItsDdlAgain() throws SQLException {
    legacyDatabase(6);
    try (Connection c = rawConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO images (id, sha256, format, width, height, created_at, provenance, owner)"
              + " VALUES ('img_old', '"
              + image("img_old").sha256()
              + "', 'png', 1, 1, '2025-03-01T12:00:00.000000000Z', '{}', 'alice')");
    }

    assertThat(store().image("img_old").orElseThrow().owner()).isEqualTo("alice");
    // Running V1..V6 again would have failed on CREATE TABLE; the baseline records them instead.
    assertThat(history()).containsExactly("BASELINE 6", "SQL 7", "SQL 8");
    assertThat(count("SELECT MAX(version) FROM schema_version")).isEqualTo(7);
    closeStores();
    reopen();
    assertThat(history()).containsExactly("BASELINE 6", "SQL 7", "SQL 8");
  }

  @Test
  void concurrentStartsTakeOverAnOldDatabaseOnce() throws Exception {
    legacyDatabase(6);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CyclicBarrier together = new CyclicBarrier(4);
    List<MetadataStore> stores = new ArrayList<>();
    try {
      List<Future<MetadataStore>> opening = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opening.add(
            pool.submit(
                () -> {
                  together.await();
                  return openStore();
                }));
      }
      for (Future<MetadataStore> f : opening) {
        stores.add(f.get());
      }
      assertThat(history()).containsExactly("BASELINE 6", "SQL 7", "SQL 8");
    } finally {
      pool.shutdownNow();
      stores.forEach(MetadataStore::close);
    }
  }

  @Test
  void aFenceInTheOldTableStopsTheOldMigratorAndAHistorylessFenceIsRefused() throws SQLException {
    store();
    closeStores();
    assertThat(count("SELECT MAX(version) FROM schema_version")).isEqualTo(7);
    try (Connection c = rawConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE flyway_schema_history");
    }

    assertThatThrownBy(this::openStore)
        .isInstanceOf(AtelierException.StorageFailure.class)
        .hasMessageContaining(
            "schema_version says version 7 but flyway_schema_history is missing; expected both,"
                + " or schema_version at 6 or older");
  }

  @Test
  void otherApplicationsTablesDoNotStopAFirstMigration() throws SQLException {
    try (Connection c = rawConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE other_app (x INTEGER)");
    }

    store().insertImage(image("img_1"));

    List<String> expected = new ArrayList<>(List.of("BASELINE 0"));
    expected.addAll(allApplied());
    assertThat(history()).isEqualTo(expected);
  }

  @Test
  void migrationTwoMakesOldTimestampsListInTimeOrder() throws Exception {
    // A version-1 database as the previous Atelier wrote it: Instant.toString timestamps.
    legacyDatabase(1);
    try (Connection c = rawConnection();
        Statement s = c.createStatement()) {
      String[][] rows = {
        {"img_whole", "2025-03-01T12:00:00Z"},
        {"img_milli", "2025-03-01T12:00:00.500Z"},
        {"img_micro", "2025-03-01T12:00:00.000001Z"},
        {"img_nano", "2025-03-01T12:00:00.000000001Z"},
      };
      for (String[] r : rows) {
        s.execute(
            "INSERT INTO images (id, sha256, format, width, height, created_at, provenance)"
                + " VALUES ('"
                + r[0]
                + "', '"
                + image(r[0]).sha256()
                + "', 'png', 1, 1, '"
                + r[1]
                + "', '{}')");
      }
      // A mask an edit stored under version 1: version 3 marks it so that listings leave it out.
      s.execute(
          "INSERT INTO images (id, sha256, format, width, height, created_at, provenance)"
              + " VALUES ('img_mask', '"
              + image("img_mask").sha256()
              + "', 'png', 1, 1, '2025-03-02T12:00:00Z', '{\"kind\":\"mask\"}')");
    }

    assertThat(store().images(10, "").orElseThrow().items())
        .extracting(StoredImage::id)
        .containsExactly("img_milli", "img_micro", "img_nano", "img_whole");
    assertThat(store().image("img_micro").orElseThrow().createdAt())
        .isEqualTo(Instant.parse("2025-03-01T12:00:00.000001Z"));
    assertThat(store().image("img_mask")).isPresent();
    assertThat(history())
        .containsExactly(
            "BASELINE 1", "SQL 2", "SQL 3", "SQL 4", "SQL 5", "SQL 6", "SQL 7", "SQL 8");
    // Version 5: rows made before keys belong to the empty owner, the keyless server's one user.
    assertThat(store().image("img_whole").orElseThrow().owner()).isEmpty();
    assertThat(store().images(OwnerScope.only(""), "", 10, "").orElseThrow().items()).hasSize(4);
  }

  /** Flyway's history as "TYPE version" in the order applied. */
  protected final List<String> history() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = rawConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT type, version FROM flyway_schema_history WHERE success"
                    + " ORDER BY installed_rank")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    return rows;
  }

  /**
   * Makes the database the home-made migrator (before Flyway) left at {@code version}: the same
   * scripts, split and run as it did, and its {@code schema_version} table.
   */
  protected final void legacyDatabase(int version) throws SQLException {
    try (Connection c = rawConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
      String[] files = {
        "V1__init.sql",
        "V2__listing_order.sql",
        "V3__image_kind.sql",
        "V4__api_keys.sql",
        "V5__owners.sql",
        "V6__jobs.sql"
      };
      for (int v = 1; v <= version; v++) {
        for (String sql : legacyStatements(script(files[v - 1]))) {
          s.execute(sql);
        }
        s.execute("INSERT INTO schema_version (version, applied_at) VALUES (" + v + ", 'x')");
      }
    }
  }

  private String script(String file) {
    String resource = "/dev/atelier/store/migrations/" + expectedKind() + "/" + file;
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The old migrator's splitting: {@code --} comment lines dropped, split at semicolons. */
  private static List<String> legacyStatements(String sql) {
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
}
