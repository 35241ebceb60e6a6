package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --role} and {@code atelier worker} refused where they cannot work. */
class RolesTest {
  @TempDir Path data;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AtelierCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void anApiNodeOnSqliteIsRefusedNamingDatabaseUrl() {
    Run r = run("serve", "--role", "api", "--demo", "--data-dir", data.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "--role api shares its queue with other processes, which needs PostgreSQL: give"
                + " --database-url (or ATELIER_DATABASE_URL)");
  }

  @Test
  void aWorkerOnSqliteIsRefusedNamingDatabaseUrl() {
    Run r = run("worker", "--demo", "--data-dir", data.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("a worker shares its queue").contains("--database-url");
  }

  @Test
  void anUnknownRoleIsRefused() {
    Run r = run("serve", "--role", "gpu", "--demo", "--data-dir", data.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--role must be all, api or worker but was 'gpu'");
  }

  @Test
  void workerHasItsOwnHelp() {
    Run r = run("worker", "--help");

    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("Usage: atelier worker")
        .contains("Run queued image jobs for API nodes")
        .contains("--database-url");
  }
}
