package dev.atelier.store.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server tests run against, and a fresh schema on it per test, for tests outside
 * atelier-store (whose own tests do the same in {@code PostgresMetadataStoreTest}).
 *
 * <p>The server comes from {@code ATELIER_TEST_POSTGRES_URL} (default: local, user postgres; {@code
 * .ci/postgres.sh} provides one). Without a reachable server {@link #schema()} aborts the test with
 * a message saying why, so it shows as skipped, never as passed.
 */
public final class TestPostgres implements AutoCloseable {
  /** The server's JDBC URL. */
  public static final String URL =
      System.getenv()
          .getOrDefault(
              "ATELIER_TEST_POSTGRES_URL",
              "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

  private final String schema;

  private TestPostgres(String schema) {
    this.schema = schema;
  }

  /**
   * Creates an empty schema with a random name; {@link #close} drops it.
   *
   * @throws org.opentest4j.TestAbortedException when the server cannot be reached
   */
  public static TestPostgres schema() {
    DriverManager.setLoginTimeout(5);
    String schema = "atelier_test_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(URL);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      System.err.println(
          "SKIPPING a PostgreSQL test: server not reachable at "
              + redacted()
              + " ("
              + e.getMessage()
              + "); set ATELIER_TEST_POSTGRES_URL or run .ci/postgres.sh");
      Assumptions.abort("PostgreSQL not reachable at " + redacted() + ": " + e.getMessage());
    }
    return new TestPostgres(schema);
  }

  /** A JDBC URL whose tables go into this schema. */
  public String url() {
    return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Drops the schema with everything in it. */
  @Override
  public void close() throws SQLException {
    try (Connection c = DriverManager.getConnection(URL);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  private static String redacted() {
    int q = URL.indexOf('?');
    return q < 0 ? URL : URL.substring(0, q) + "?...";
  }
}
