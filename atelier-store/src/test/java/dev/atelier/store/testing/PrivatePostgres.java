package dev.atelier.store.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's own (initdb on a free loopback port), for tests that stop,
 * restart or reconfigure the server, which the shared one of {@code .ci/postgres.sh} must not
 * suffer.
 *
 * <p>The superuser {@code postgres} logs in over TCP with {@link #PASSWORD} (SCRAM). Binaries come
 * from {@code $ATELIER_TEST_PG_BIN} or the newest {@code /usr/lib/postgresql/N/bin}; as root, the
 * server runs as the {@code postgres} user through {@code runuser}, since PostgreSQL refuses root.
 */
public final class PrivatePostgres implements AutoCloseable {
  /** The superuser's password: characters that need percent-encoding in a URL, on purpose. */
  public static final String PASSWORD = "s3cr3t:p@ss/w%rd";

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asRoot;

  private PrivatePostgres(Path bin, Path dir, int port, boolean asRoot) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asRoot = asRoot;
  }

  /** The binaries' folder, or empty when PostgreSQL is not installed here. */
  public static Optional<Path> binaries() {
    String env = System.getenv("ATELIER_TEST_PG_BIN");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env)).filter(p -> Files.isExecutable(p.resolve("initdb")));
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(PrivatePostgres::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Creates and starts a cluster in a new temporary folder. */
  public static PrivatePostgres start(Path bin) throws IOException, InterruptedException {
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("atelier-pg-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path pwfile = dir.resolve("pw");
    Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
    if (asRoot) {
      UserPrincipal postgres =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, postgres);
      Files.setOwner(pwfile, postgres);
    }
    PrivatePostgres pg = new PrivatePostgres(bin, dir, port, asRoot);
    pg.run(
        "initdb",
        "-D",
        pg.data().toString(),
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--pwfile=" + pwfile,
        "-E",
        "UTF8",
        "--no-sync");
    pg.pgCtl("start");
    return pg;
  }

  public int port() {
    return port;
  }

  /** The provider-style URL with the password percent-encoded. */
  public String url(String password) {
    return "postgresql://postgres:"
        + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8)
        + "@127.0.0.1:"
        + port
        + "/postgres";
  }

  /** {@code pg_ctl restart -m fast}: every connection is closed by the server. */
  public void restart() throws IOException, InterruptedException {
    pgCtl("restart", "-m", "fast");
  }

  /** {@code pg_ctl stop -m fast}. */
  public void stop() throws IOException, InterruptedException {
    run("pg_ctl", "-D", data().toString(), "-m", "fast", "-w", "stop");
  }

  /** Starts the stopped server again on the same port. */
  public void startAgain() throws IOException, InterruptedException {
    pgCtl("start");
  }

  private void pgCtl(String action, String... more) throws IOException, InterruptedException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "pg_ctl",
                "-D",
                data().toString(),
                "-l",
                dir.resolve("log").toString(),
                "-w",
                "-t",
                "60",
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
                action));
    args.addAll(List.of(more));
    run(args.toArray(String[]::new));
  }

  private Path data() {
    return dir.resolve("data");
  }

  private void run(String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asRoot) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.add(bin.resolve(command[0]).toString());
    full.addAll(List.of(command).subList(1, command.length));
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", full) + " failed:\n" + out);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      run("pg_ctl", "-D", data().toString(), "-m", "immediate", "-w", "stop");
    } catch (IOException e) {
      // Already stopped.
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
