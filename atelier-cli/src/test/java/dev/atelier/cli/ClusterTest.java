package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.store.testing.S3Proxy;
import dev.atelier.store.testing.S3ProxyExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The cluster of issue 21 with real processes: two API nodes ({@code serve --role api}) and two
 * workers ({@code atelier worker --demo}) as child JVMs over one real PostgreSQL (a fresh schema)
 * and one real S3-compatible server (s3proxy).
 *
 * <p>Twenty asynchronous jobs go in through API node 1; worker 1 is killed with SIGKILL while it
 * runs one, API node 1 is stopped half-way. Every job completes exactly once (its interrupted
 * attempt left no image; no image is stored twice), every image is readable through API node 2, a
 * client streaming events from API node 2 sees progress of a job that runs on a worker, a cancel
 * sent to API node 2 stops a running job on the worker well within the worker's heartbeat and
 * within two steps of the cancel's answer, and SIGTERM on a worker (ONNX Runtime's CPU defaults)
 * gives its running job back to the queue, its attempt uncounted.
 */
@ExtendWith(S3ProxyExtension.class)
class ClusterTest {
  private static final String SERVER =
      System.getenv()
          .getOrDefault(
              "ATELIER_TEST_POSTGRES_URL",
              "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

  private static final int JOBS = 20;
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  /**
   * The children's JVM options: four JVMs share the test machine's cores, and the work is ONNX
   * Runtime's (native), so the JIT stops at C1 and one GC thread collects, both for a faster start.
   */
  private static final List<String> CHILD_JVM =
      List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  @TempDir Path dir;

  private final List<ChildServer> children = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private String schemaUrl;

  @AfterEach
  void stopEverything() throws Exception {
    for (ChildServer c : children) {
      c.close();
    }
    http.close();
  }

  @Test
  void apiNodesAndWorkersShareTheQueueAndLoseNoJob(S3Proxy s3) throws Exception {
    String schema = "atelier_cluster_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(SERVER);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      Assumptions.abort("PostgreSQL not reachable (run .ci/postgres.sh): " + e.getMessage());
    }
    schemaUrl = SERVER + "&currentSchema=" + schema;
    String bucket = s3.createBucket();
    Map<String, String> env =
        Map.of(
            "AWS_ACCESS_KEY_ID",
            S3Proxy.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY",
            S3Proxy.SECRET_KEY,
            "AWS_ENDPOINT_URL_S3",
            s3.endpoint(),
            "ATELIER_DATABASE_URL",
            schemaUrl,
            "ATELIER_BLOB_STORE",
            "s3://" + bucket + "/cluster",
            "ATELIER_URL_SECRET",
            "cluster-test-secret-0123456789abcdef");

    // Worker 1 holds short leases (its job is taken back 2 s after the kill); worker 2 long ones,
    // so that only a notification, not its heartbeat (every 20 s), can stop its job quickly.
    // The workers run ONNX Runtime with the CPU defaults (ADR 0027: the arena shrunk after each
    // run), under which a SIGTERM once crashed worker 2 inside a step (StopSignals).
    // All four start at once: API node 1 is told the model ids; API node 2 waits for a worker's
    // row and reads them from it.
    List<ChildServer> nodes =
        startTogether(
            env,
            List.of("worker", "--demo", "--job-lease", "2"),
            List.of("worker", "--demo", "--job-lease", "60", "--drain-timeout", "0"),
            List.of("serve", "--role", "api", "--demo", "--job-lease", "3"),
            List.of("serve", "--role", "api", "--job-lease", "3"));
    ChildServer worker1 = nodes.get(0);
    ChildServer worker2 = nodes.get(1);
    ChildServer api1 = nodes.get(2);
    ChildServer api2 = nodes.get(3);
    URI one = api1.baseUrl();
    URI two = api2.baseUrl();

    JsonValue.Obj models = json(get(two, "/v1/models"));
    assertThat(models.array("data"))
        .extracting(m -> m.asObject().string("id", ""))
        .containsExactly("demo", "demo-inpaint");
    // Warm workers say so in their rows at their next report (worker 1's: every 0.7 s).
    await(
        "API node 2 shows the model ready",
        () ->
            json(get(two, "/v1/models"))
                .array("data")
                .getFirst()
                .asObject()
                .string("state", "")
                .equals("ready"));
    assertThat(json(get(two, "/v1/workers")).array("data")).hasSize(2);
    assertThat(status(worker1.baseUrl().resolve("/v1/models")))
        .as("a worker serves no API")
        .isEqualTo(404);

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      ids.add(submit(one, i, 4, 2));
    }
    // A client on API node 2 follows the last job, which runs on a worker.
    List<String> streamed = new CopyOnWriteArrayList<>();
    Thread follower = follow(two, ids.getLast(), streamed, new CopyOnWriteArrayList<>());

    long pid1 = worker1.pid();
    await("worker 1 runs a job", () -> runningOn(pid1).isPresent());
    String interrupted = runningOn(pid1).orElseThrow();
    worker1.kill();

    await("half of the jobs completed", () -> count("completed") >= JOBS / 2);
    // An image URL that API node 1 signed is good on API node 2 (one ATELIER_URL_SECRET).
    String signed = signedUrl(one);
    // 143: the JVM's status after SIGTERM, once its shutdown hook (the clean stop) has run.
    assertThat(api1.terminate(Duration.ofSeconds(30))).as("API node 1's exit code").isEqualTo(143);

    await("every job ended", () -> count("completed") + count("failed") == JOBS);
    follower.join(DEADLINE.toMillis());

    try (Connection c = DriverManager.getConnection(schemaUrl)) {
      assertThat(scalar(c, "SELECT COUNT(*) FROM jobs WHERE status = 'completed'")).isEqualTo(JOBS);
      assertThat(scalar(c, "SELECT attempts FROM jobs WHERE id = '" + interrupted + "'"))
          .as("the killed worker's job ran again")
          .isEqualTo(2);
      assertThat(scalar(c, "SELECT COUNT(*) FROM images"))
          .as("image rows: two per job, none of the interrupted attempt")
          .isEqualTo(2 * JOBS);
    }
    Set<String> images = new HashSet<>();
    for (String id : ids) {
      JsonValue.Obj job = json(get(two, "/v1/jobs/" + id));
      assertThat(job.string("status", "")).as(id).isEqualTo("completed");
      for (JsonValue image : job.object("result").orElseThrow().array("data")) {
        String imageId = image.asObject().string("id", "");
        assertThat(images.add(imageId)).as("image " + imageId + " stored once").isTrue();
        HttpResponse<byte[]> bytes =
            http.send(
                HttpRequest.newBuilder(two.resolve("/v1/images/" + imageId + "/content")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(bytes.statusCode())
            .as("image " + imageId + " through API node 2")
            .isEqualTo(200);
        assertThat(bytes.body()).startsWith(0x89, 'P', 'N', 'G');
      }
    }
    assertThat(images).hasSize(2 * JOBS);
    assertThat(status(two.resolve(signed)))
        .as("API node 1's signed URL on API node 2")
        .isEqualTo(200);
    assertThat(streamed).as("events streamed by API node 2").contains("progress");
    assertThat(streamed.getLast()).isEqualTo("completed");

    // A cancel sent to API node 2 stops a job on worker 2 at its next step: the progress that API
    // node 2 streams (worker 2's events, every step) moves on by at most two steps once the cancel
    // was answered, the one under way and the one started as the cancel travelled.
    String longJob = submit(two, 100, 500, 8);
    List<String> longEvents = new CopyOnWriteArrayList<>();
    List<Integer> longSteps = new CopyOnWriteArrayList<>();
    Thread longFollower = follow(two, longJob, longEvents, longSteps);
    await("the long job made steps", () -> longSteps.size() >= 3);
    long asked = System.nanoTime();
    assertThat(json(post(two, "/v1/jobs/" + longJob + "/cancel")).string("id", ""))
        .isEqualTo(longJob);
    int stepAtCancel = longSteps.getLast();
    await("the long job cancelled", () -> jobStatus(two, longJob).equals("cancelled"));
    assertThat(Duration.ofNanos(System.nanoTime() - asked))
        .as("cancel to stop, with worker 2's heartbeat every 20 s")
        .isLessThan(Duration.ofSeconds(5));
    longFollower.join(DEADLINE.toMillis());
    assertThat(longEvents.getLast())
        .as("the long job's stream ends cancelled")
        .isEqualTo("cancelled");
    assertThat(longSteps.getLast())
        .as("steps streamed: %s; the step shown when the cancel was answered", longSteps)
        .isBetween(stepAtCancel, stepAtCancel + 2)
        .isLessThan(500);

    // The workers as `atelier workers` shows them: worker 1 stale (killed), worker 2 idle.
    await("worker 1 shown as stale", () -> workersOutput(two).contains("stale"));
    assertThat(workersOutput(two)).contains(":" + worker2.pid() + ":");

    // SIGTERM on worker 2 while it runs a job: the job goes back to the queue, not failed.
    String given = submit(two, 101, 500, 8);
    await("the next long job runs", () -> jobStatus(two, given).equals("in_progress"));
    assertThat(worker2.terminate(Duration.ofSeconds(30))).as("worker 2's exit code").isEqualTo(143);
    assertThat(worker2.output()).contains("1 running job(s) given back to the queue");
    try (Connection c = DriverManager.getConnection(schemaUrl)) {
      assertThat(scalar(c, "SELECT attempts FROM jobs WHERE id = '" + given + "'")).isZero();
      assertThat(
              scalar(c, "SELECT COUNT(*) FROM workers WHERE id LIKE '%:" + worker2.pid() + ":%'"))
          .as("worker 2 removed its row")
          .isZero();
    }
    assertThat(jobStatus(two, given)).isEqualTo("queued");
  }

  /** Starts {@code atelier ARGS} for each list at once; returns when all answer /readyz. */
  @SafeVarargs
  private List<ChildServer> startTogether(Map<String, String> env, List<String>... argLists)
      throws Exception {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(argLists.length);
    try {
      List<java.util.concurrent.Future<ChildServer>> starting = new ArrayList<>();
      for (List<String> args : argLists) {
        List<String> all = new ArrayList<>(args);
        all.addAll(
            List.of(
                "--port",
                "0",
                "--data-dir",
                dir.resolve("node" + (children.size() + starting.size())).toString()));
        starting.add(pool.submit(() -> ChildServer.command(CHILD_JVM, all, env, "/readyz", START)));
      }
      List<ChildServer> started = new ArrayList<>();
      Exception failed = null;
      for (java.util.concurrent.Future<ChildServer> f : starting) {
        try {
          started.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          failed = e.getCause() instanceof Exception x ? x : e;
        }
      }
      children.addAll(started);
      if (failed != null) {
        throw failed;
      }
      return started;
    } finally {
      pool.shutdown();
    }
  }

  private String submit(URI base, int seed, int steps, int n) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
                .header("Content-Type", "application/json")
                .header("Prefer", "respond-async")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"prompt\":\"a cup "
                            + seed
                            + "\",\"size\":\"64x64\",\"response_format\":\"url\",\"n\":"
                            + n
                            + ",\"steps\":"
                            + steps
                            + ",\"seed\":"
                            + seed
                            + "}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return json(r.body()).string("id", "");
  }

  /** The path and query of the first image URL in API node {@code base}'s completed jobs. */
  private String signedUrl(URI base) throws Exception {
    JsonValue.Obj page = json(get(base, "/v1/jobs?status=completed&limit=1"));
    String url =
        page.array("data")
            .getFirst()
            .asObject()
            .object("result")
            .orElseThrow()
            .array("data")
            .getFirst()
            .asObject()
            .string("url", "");
    assertThat(url).contains("sig=");
    URI u = URI.create(url);
    return u.getRawPath() + "?" + u.getRawQuery();
  }

  /**
   * Reads job {@code id}'s events from {@code base} on a thread: their types into {@code types},
   * the step of each progress event into {@code steps}.
   */
  private Thread follow(URI base, String id, List<String> types, List<Integer> steps) {
    Thread t =
        new Thread(
            () -> {
              try {
                String[] type = {""};
                http.send(
                        HttpRequest.newBuilder(base.resolve("/v1/jobs/" + id + "/events")).build(),
                        HttpResponse.BodyHandlers.ofLines())
                    .body()
                    .takeWhile(
                        line -> !Set.of("completed", "failed", "cancelled").contains(type[0]))
                    .forEach(
                        line -> {
                          if (line.startsWith("event: ")) {
                            type[0] = line.substring("event: ".length());
                            types.add(type[0]);
                          } else if (line.startsWith("data: ") && type[0].equals("progress")) {
                            steps.add(
                                (int) json(line.substring("data: ".length())).integer("step", -1));
                          }
                        });
              } catch (Exception e) {
                types.add("error: " + e);
              }
            },
            "cluster-test-events");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The job that the worker with process id {@code pid} runs, if any. */
  private Optional<String> runningOn(long pid) throws SQLException {
    try (Connection c = DriverManager.getConnection(schemaUrl);
        PreparedStatement p =
            c.prepareStatement(
                "SELECT id FROM jobs WHERE status = 'in_progress' AND lease_owner LIKE ?")) {
      p.setString(1, "%:" + pid + ":%");
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private int count(String status) throws SQLException {
    try (Connection c = DriverManager.getConnection(schemaUrl)) {
      return scalar(c, "SELECT COUNT(*) FROM jobs WHERE status = '" + status + "'");
    }
  }

  private static int scalar(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private String jobStatus(URI base, String id) throws Exception {
    return json(get(base, "/v1/jobs/" + id)).string("status", "");
  }

  private static String workersOutput(URI base) {
    WorkersCommand cmd = new WorkersCommand();
    cmd.env = Map.of();
    CommandLine cli = new CommandLine(cmd);
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    assertThat(cli.execute("--url", base.toString())).isZero();
    return out.toString();
  }

  private String get(URI base, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve(path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  private String post(URI base, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("POST " + path + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  private int status(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static JsonValue.Obj json(String text) {
    return Json.parse(text).asObject();
  }

  /** Polls {@code condition} until it holds; fails with every child's output at the deadline. */
  private void await(String what, Check condition) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        StringBuilder b = new StringBuilder("not reached: " + what);
        for (ChildServer c : children) {
          b.append("\n--- child ").append(c.pid()).append(":\n").append(c.output());
        }
        throw new AssertionError(b.toString());
      }
      // Polling: nothing announces these states to a client.
      Thread.sleep(25);
    }
  }

  @FunctionalInterface
  private interface Check {
    boolean holds() throws Exception;
  }
}
