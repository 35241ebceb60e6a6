package dev.atelier.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code atelier serve --demo} in a child JVM with this JVM's class path, on a free port and a
 * fresh data dir, so that a load test measures the server's memory apart from the client's.
 *
 * <p>Owns the process and a temporary folder holding its output (and its data dir, unless the
 * caller gave one): {@link #close} stops the server (SIGTERM, which runs the server's clean
 * shutdown; killed after 30 s) and deletes the folder. A data dir the caller gave is left alone, so
 * that a second child can start on it.
 */
final class ChildServer implements AutoCloseable {
  private static final Pattern LISTENING =
      Pattern.compile("Atelier (?:worker )?listening on (http://\\S+?)(?:/v1)?\\s");

  /** Settings of the caller's environment that would point the child away from its demo. */
  private static final List<String> CLEARED_ENV =
      List.of("ATELIER_ENGINE", "ATELIER_DATABASE_URL", "ATELIER_DATA_DIR", "ATELIER_MODEL");

  private final Process process;
  private final Path dir;
  private final URI baseUrl;

  private ChildServer(Process process, Path dir, URI baseUrl) {
    this.process = process;
    this.dir = dir;
    this.baseUrl = baseUrl;
  }

  /**
   * Starts the child and returns once it answers {@code GET /v1/models} with 200.
   *
   * @param javaOptions JVM options of the child (heap settings, as {@code ATELIER_JAVA_OPTS})
   * @param serveArgs arguments appended to the child's {@code serve --demo} command line, after the
   *     ones this class sets ({@code --engine}, {@code --port} and {@code --data-dir} cannot be
   *     given again: {@code serve} refuses a repeated option)
   * @param timeout how long to wait for it to answer
   * @throws IOException if the process cannot be started, exits, or does not answer in time (the
   *     message ends with the last lines of its output)
   */
  static ChildServer start(List<String> javaOptions, List<String> serveArgs, Duration timeout)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("atelier-bench-server-");
    return start(dir, dir.resolve("data"), javaOptions, serveArgs, timeout);
  }

  /**
   * Starts the child on {@code dataDir}, which outlives it, and returns once it answers {@code GET
   * /v1/models} with 200.
   *
   * @param dataDir the child's {@code --data-dir}, created if absent; {@link #close} keeps it
   * @see #start(List, List, Duration)
   */
  static ChildServer start(
      Path dataDir, List<String> javaOptions, List<String> serveArgs, Duration timeout)
      throws IOException, InterruptedException {
    return start(
        Files.createTempDirectory("atelier-child-server-"),
        dataDir,
        javaOptions,
        serveArgs,
        timeout);
  }

  private static ChildServer start(
      Path dir, Path dataDir, List<String> javaOptions, List<String> serveArgs, Duration timeout)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "serve",
            "--demo",
            "--engine",
            "local",
            "--port",
            "0",
            "--data-dir",
            dataDir.toString()));
    args.addAll(serveArgs);
    return start(dir, javaOptions, args, java.util.Map.of(), "/v1/models", timeout);
  }

  /**
   * Starts {@code atelier ARGS} (a {@code serve} of any role, or a {@code worker}; the arguments
   * must include {@code --port 0} and a {@code --data-dir}) with {@code env} added to its
   * environment, and returns once {@code GET readyPath} answers 200 ({@code /readyz}: a worker's
   * model is warm).
   */
  static ChildServer command(
      List<String> javaOptions,
      List<String> args,
      java.util.Map<String, String> env,
      String readyPath,
      Duration timeout)
      throws IOException, InterruptedException {
    return start(
        Files.createTempDirectory("atelier-child-"), javaOptions, args, env, readyPath, timeout);
  }

  private static ChildServer start(
      Path dir,
      List<String> javaOptions,
      List<String> args,
      java.util.Map<String, String> env,
      String readyPath,
      Duration timeout)
      throws IOException, InterruptedException {
    Path log = dir.resolve("server.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(javaOptions);
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), AtelierCommand.class.getName()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    CLEARED_ENV.forEach(pb.environment()::remove);
    pb.environment().putAll(env);
    Process process = pb.start();
    ChildServer child = null;
    try {
      child = new ChildServer(process, dir, awaitReady(process, log, readyPath, timeout));
      return child;
    } finally {
      if (child == null) {
        stop(process);
        deleteTree(dir);
      }
    }
  }

  /** The server's base URL, {@code http://127.0.0.1:PORT}. */
  URI baseUrl() {
    return baseUrl;
  }

  /** The child's process id, for {@link RssSampler}. */
  long pid() {
    return process.pid();
  }

  /** Whether the server process is still running (a crash under load shows here). */
  boolean alive() {
    return process.isAlive();
  }

  /** The exit code of a process that is no longer {@link #alive}. */
  int exitValue() {
    return process.exitValue();
  }

  /**
   * Kills the server with SIGKILL ({@code kill -9}) and waits for it to exit: no shutdown hook
   * runs, as when the kernel's OOM killer strikes. {@link #close} still deletes the folder.
   */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * Stops the server with SIGTERM (its clean shutdown) and waits up to {@code timeout} for it to
   * exit.
   *
   * @return its exit code
   * @throws IOException when it did not exit in time (it is then killed)
   */
  int terminate(Duration timeout) throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IOException(
          "the server did not exit within " + timeout.toSeconds() + " s of SIGTERM");
    }
    return process.exitValue();
  }

  /** What the server printed so far (standard output and error), for a failure's message. */
  String output() {
    try {
      return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(its output cannot be read: " + e + ")";
    }
  }

  private static URI awaitReady(Process process, Path log, String readyPath, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    URI base = null;
    try (HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException(
              "the server exited with code "
                  + process.exitValue()
                  + " before it answered"
                  + tail(log));
        }
        if (base == null) {
          Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
          if (m.find()) {
            base = URI.create(m.group(1));
          }
        }
        if (base != null && answers(http, base.resolve(readyPath))) {
          return base;
        }
        // Polling: the child says nothing else when it is ready.
        Thread.sleep(50);
      }
    }
    throw new IOException(
        "the server did not answer GET "
            + readyPath
            + " with 200 within "
            + timeout.toSeconds()
            + " s"
            + tail(log));
  }

  private static boolean answers(HttpClient http, URI uri) throws InterruptedException {
    HttpRequest get = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
    try {
      return http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "; its last output:\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Stops the server and deletes its folder (with the data dir, unless the caller gave one). */
  @Override
  public void close() throws IOException {
    try {
      stop(process);
    } finally {
      deleteTree(dir);
    }
  }
}
