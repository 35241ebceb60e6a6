package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --database-url} in the form providers print, the pool flags, and the password kept out of
 * every line the CLI prints.
 */
class ServeDatabaseUrlTest {
  // The shared test server (.ci/postgres.sh) trusts user postgres on loopback, so any password
  // logs in: enough to see where the password would be printed.
  private static final String SERVER =
      System.getenv()
          .getOrDefault(
              "ATELIER_TEST_POSTGRES_URL",
              "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
  private static final String PASSWORD = "hunter2!sw0rd";

  @TempDir Path data;

  @Test
  void theBannerShowsAProviderUrlWithItsPasswordMasked() throws Exception {
    String schema = "atelier_cli_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(SERVER);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      Assumptions.abort("PostgreSQL not reachable (run .ci/postgres.sh): " + e.getMessage());
    }
    String url =
        "postgresql://postgres:"
            + PASSWORD.replace("!", "%21")
            + "@127.0.0.1:5432/postgres?currentSchema="
            + schema;
    InProcessServe serve =
        InProcessServe.start(
            "--port",
            "0",
            "--data-dir",
            data.toString(),
            "--database-url",
            url,
            "--db-pool-size",
            "3",
            "--db-connection-timeout",
            "2",
            "--model",
            AtelierCommandTest.model("tiny-sd"));
    try {
      assertThat(serve.out())
          .contains(
              "database:   postgresql://postgres:****@127.0.0.1:5432/postgres?currentSchema="
                  + schema
                  + " (postgresql)")
          .doesNotContain(PASSWORD)
          .doesNotContain("hunter2");
    } finally {
      serve.close();
      try (Connection c = DriverManager.getConnection(SERVER);
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
    assertThat(serve.err()).doesNotContain("hunter2");
  }

  @Test
  void anUnreadableUrlIsRefusedWithItsPasswordMasked() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        AtelierCommand.execute(
            new String[] {
              "keys",
              "list",
              "--data-dir",
              data.toString(),
              "--database-url",
              "mysql://root:" + PASSWORD + "@db/atelier"
            },
            new PrintWriter(out),
            new PrintWriter(err));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("--database-url: database URL must be empty (SQLite in the data folder)")
        .contains("but was mysql://****@db/atelier")
        .doesNotContain("hunter2");
  }

  @Test
  void poolFlagsAreCheckedAndDocumented() {
    StringWriter err = new StringWriter();
    int code =
        AtelierCommand.execute(
            new String[] {"keys", "list", "--data-dir", data.toString(), "--db-pool-size", "0"},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--db-pool-size must be 1..1000 but was 0");

    StringWriter help = new StringWriter();
    AtelierCommand.execute(
        new String[] {"serve", "--help"}, new PrintWriter(help), new PrintWriter(help));
    assertThat(help.toString())
        .contains("--db-pool-size=N")
        .contains("--db-connection-timeout=SECONDS")
        .contains("postgresql://USER:PASSWORD@HOST:PORT/DB");
  }
}
