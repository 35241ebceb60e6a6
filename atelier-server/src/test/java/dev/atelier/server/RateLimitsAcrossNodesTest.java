package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.auth.AccessSettings;
import dev.atelier.server.auth.Caller;
import dev.atelier.store.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two API nodes (two servers in this JVM, each with its own connection pool and job runner) over
 * one real PostgreSQL schema: a key's limits hold across both, whichever node a request reaches.
 */
class RateLimitsAcrossNodesTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T23:58:00Z"));
  private TestPostgres pg;
  private final List<ServerFixture> nodes = new ArrayList<>();

  private static final Map<String, Caller> CALLERS =
      Map.of(
          "rpm4", key("rpm4", 4, 0, 0),
          "rpm30", key("rpm30", 30, 0, 0),
          "day3", key("day3", 0, 3, 0),
          "day5", key("day5", 0, 5, 0),
          "once2", key("once2", 0, 0, 2));

  private static Caller key(String id, int rpm, int perDay, int atOnce) {
    return new Caller("key_" + id, "owner-" + id, Set.of("images"), rpm, perDay, atOnce);
  }

  @BeforeEach
  void startTwoNodes() {
    pg = TestPostgres.schema();
    for (int i = 0; i < 2; i++) {
      // One blob folder for both, as nodes share an object store: any node may run a job.
      nodes.add(
          ServerFixture.withCallersOn(
              dir,
              pg.url(),
              new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                  .withAccess(AccessSettings.ephemeral().withClock(clock))
                  .withJobs(dev.atelier.server.jobs.JobRunner.Settings.DEFAULT.withWorkers(2)),
              CALLERS));
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (ServerFixture n : nodes) {
      n.engine.gate = null;
      n.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  private ServerFixture node(int i) {
    return nodes.get(i % 2);
  }

  private static HttpResponse<String> send(ServerFixture node, HttpRequest r) throws Exception {
    return node.http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest models(ServerFixture node, String key) {
    return HttpRequest.newBuilder(URI.create(node.base() + "/v1/models"))
        .header(ServerFixture.TEST_KEY, key)
        .GET()
        .build();
  }

  private static HttpRequest generation(ServerFixture node, String key, boolean async) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(node.base() + "/v1/images/generations"))
            .header("Content-Type", "application/json")
            .header(ServerFixture.TEST_KEY, key)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"prompt\":\"a red fox\",\"n\":1,\"response_format\":\"b64_json\"}"));
    if (async) {
      b.header("Prefer", "respond-async");
    }
    return b.build();
  }

  private static JsonValue.Obj error(HttpResponse<String> r) {
    ServerFixture.assertStrictJson(r.body());
    return ((JsonValue.Obj) Json.parse(r.body())).object("error").orElseThrow();
  }

  private static String header(HttpResponse<String> r, String name) {
    return r.headers().firstValue(name).orElse("(none)");
  }

  @Test
  void thePerMinuteLimitIsSharedByTheNodesWithTruthfulHeadersOnEither() throws Exception {
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = send(node(i), models(node(i), "rpm4"));
      assertThat(r.statusCode()).as("request %d on node %d", i + 1, i % 2).isEqualTo(200);
      assertThat(header(r, "x-ratelimit-limit-requests")).isEqualTo("4");
      assertThat(header(r, "x-ratelimit-remaining-requests")).isEqualTo(String.valueOf(3 - i));
      assertThat(header(r, "x-ratelimit-reset-requests")).isEqualTo((60 - 5 * i) + "s");
      clock.advance(Duration.ofSeconds(5));
    }

    // 23:58:20: the minute's four are spent, on whichever node asks.
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> refused = send(node(i), models(node(i), "rpm4"));
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(error(refused).string("code", "")).isEqualTo("rate_limit_exceeded");
      assertThat(header(refused, "Retry-After")).isEqualTo("40");
      assertThat(header(refused, "x-ratelimit-remaining-requests")).isEqualTo("0");
      assertThat(header(refused, "x-ratelimit-reset-requests")).isEqualTo("40s");
    }

    // The next minute starts afresh, on either node.
    clock.advance(Duration.ofSeconds(40));
    HttpResponse<String> next = send(node(1), models(node(1), "rpm4"));
    assertThat(next.statusCode()).isEqualTo(200);
    assertThat(header(next, "x-ratelimit-remaining-requests")).isEqualTo("3");
  }

  @Test
  void theDailyQuotaIsSharedByTheNodes() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = send(node(i), generation(node(i), "day3", false));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> spent = send(node(i + 1), generation(node(i + 1), "day3", false));
      assertThat(spent.statusCode()).isEqualTo(429);
      assertThat(error(spent).string("code", "")).isEqualTo("insufficient_quota");
      assertThat(header(spent, "Retry-After")).isEqualTo("120"); // 23:58 -> 00:00 UTC
    }
    assertThat(imagesOf("owner-day3")).isEqualTo(3);

    clock.advance(Duration.ofMinutes(2));
    assertThat(send(node(0), generation(node(0), "day3", false)).statusCode()).isEqualTo(200);
  }

  @Test
  void threadsHammeringBothNodesNeverPassThePerMinuteLimit() throws Exception {
    List<HttpResponse<String>> all = hammer(8, 12, i -> models(node(i), "rpm30"));

    assertThat(all).hasSize(96);
    assertThat(all).filteredOn(r -> r.statusCode() == 200).hasSize(30);
    assertThat(all)
        .filteredOn(r -> r.statusCode() != 200)
        .allSatisfy(
            r -> {
              assertThat(r.statusCode()).isEqualTo(429);
              assertThat(header(r, "x-ratelimit-remaining-requests")).isEqualTo("0");
            });
    // Each admitted response says how many were left after it: 29 down to 0, each once.
    assertThat(
            all.stream()
                .filter(r -> r.statusCode() == 200)
                .map(r -> Integer.parseInt(header(r, "x-ratelimit-remaining-requests")))
                .sorted()
                .toList())
        .isEqualTo(java.util.stream.IntStream.range(0, 30).boxed().toList());
  }

  @Test
  void threadsHammeringBothNodesNeverPassTheDailyQuota() throws Exception {
    List<HttpResponse<String>> all = hammer(6, 3, i -> generation(node(i), "day5", true));

    assertThat(all).filteredOn(r -> r.statusCode() == 202).hasSize(5);
    assertThat(all)
        .filteredOn(r -> r.statusCode() != 202)
        .allSatisfy(r -> assertThat(error(r).string("code", "")).isEqualTo("insufficient_quota"));
  }

  @Test
  void requestsAtOnceCountTheKeysUnfinishedJobsOnEveryNode() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    nodes.forEach(n -> n.engine.gate = gate);
    try {
      List<HttpResponse<String>> all = hammer(6, 1, i -> generation(node(i), "once2", true));

      assertThat(all).filteredOn(r -> r.statusCode() == 202).hasSize(2);
      assertThat(all)
          .filteredOn(r -> r.statusCode() != 202)
          .allSatisfy(
              r -> {
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(error(r).string("message", ""))
                    .contains("2 image requests at once (concurrency limit)");
              });
    } finally {
      gate.countDown();
    }
    // Once they end, the key may run again, on either node.
    JobClient.await("the key's jobs to end", () -> unfinished("key_once2") == 0);
    assertThat(send(node(1), generation(node(1), "once2", false)).statusCode()).isEqualTo(200);
  }

  @Test
  void endedWindowsArePurged() throws Exception {
    send(node(0), models(node(0), "rpm4"));
    assertThat(rows("SELECT COUNT(*) FROM rate_counters")).isEqualTo(1);

    // Eleven minutes on, the next request's node finds a purge due and deletes the old minute.
    clock.advance(Duration.ofMinutes(11));
    send(node(0), models(node(0), "rpm4"));

    JobClient.await(
        "the ended minute's counter to be purged",
        () -> rows("SELECT COUNT(*) FROM rate_counters") == 1);
    assertThat(
            rows(
                "SELECT COUNT(*) FROM rate_counters WHERE window_start = "
                    + Instant.parse("2026-03-02T00:09:00Z").getEpochSecond()))
        .isEqualTo(1);
  }

  /** {@code threads} threads, alternating between the nodes, each sending {@code each} requests. */
  private List<HttpResponse<String>> hammer(
      int threads, int each, java.util.function.IntFunction<HttpRequest> request) throws Exception {
    CyclicBarrier together = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<HttpResponse<String>>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  together.await();
                  List<HttpResponse<String>> got = new ArrayList<>();
                  for (int i = 0; i < each; i++) {
                    got.add(send(node(thread), request.apply(thread)));
                  }
                  return got;
                }));
      }
      List<HttpResponse<String>> all = new ArrayList<>();
      for (Future<List<HttpResponse<String>>> f : futures) {
        all.addAll(f.get());
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private long rows(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(pg.url());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long imagesOf(String owner) throws Exception {
    return rows("SELECT COUNT(*) FROM images WHERE owner = '" + owner + "'");
  }

  private int unfinished(String keyId) {
    return nodes.getFirst().metadata.unfinished(keyId);
  }
}
