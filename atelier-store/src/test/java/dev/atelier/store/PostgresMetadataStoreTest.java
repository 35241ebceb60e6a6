package dev.atelier.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store contract on PostgreSQL, each test in a fresh schema that is dropped afterwards.
 *
 * <p>The server comes from {@code ATELIER_TEST_POSTGRES_URL} (default: local, user postgres; {@code
 * .ci/postgres.sh} provides one in CI). Without a reachable server every test is skipped with a
 * message saying why, never passed silently.
 */
class PostgresMetadataStoreTest extends MetadataStoreContract {
  private static final String URL =
      System.getenv()
          .getOrDefault(
              "ATELIER_TEST_POSTGRES_URL",
              "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

  // Why the server cannot be used, or "" when it can; probed once for the whole class.
  private static String unreachable;
  private String schema;

  @BeforeAll
  static void probeServer() {
    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(URL)) {
      unreachable = c.isValid(5) ? "" : "connection is not valid";
    } catch (SQLException e) {
      unreachable = e.getMessage();
    }
    if (!unreachable.isEmpty()) {
      // Surefire shows skip reasons only in its reports; say it in the build log as well.
      System.err.println(
          "SKIPPING PostgreSQL store tests: server not reachable at "
              + Stores.redact(URL)
              + " ("
              + unreachable
              + "); set ATELIER_TEST_POSTGRES_URL or run .ci/postgres.sh");
    }
  }

  @BeforeEach
  void createSchema() throws SQLException {
    // Aborting here rather than in @BeforeAll, because Surefire counts a class aborted in
    // @BeforeAll as zero tests run and zero skipped, which hides the skip.
    if (!unreachable.isEmpty()) {
      Assumptions.abort("PostgreSQL not reachable at " + Stores.redact(URL) + ": " + unreachable);
    }
    schema = "atelier_test_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(URL);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
  }

  @AfterEach
  void dropSchema() throws SQLException {
    // Subclass @AfterEach runs before the contract's, so close the store's connections first.
    closeStores();
    if (schema == null) {
      return;
    }
    try (Connection c = DriverManager.getConnection(URL);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private String schemaUrl() {
    return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  @Override
  protected MetadataStore openStore() {
    return Stores.open(java.nio.file.Path.of("unused"), schemaUrl());
  }

  @Override
  protected Connection rawConnection() throws SQLException {
    return DriverManager.getConnection(schemaUrl());
  }

  @Override
  protected String expectedKind() {
    return "postgresql";
  }
}
