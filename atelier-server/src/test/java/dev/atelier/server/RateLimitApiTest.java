package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.auth.AccessSettings;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.auth.RateLimits;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each key's limits over real HTTP: per minute, per day, at once; anonymous callers have none. */
class RateLimitApiTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T23:58:00Z"));
  private ServerFixture f;

  private void start(Caller... callers) {
    Map<String, Caller> byKey = new java.util.HashMap<>();
    for (Caller c : callers) {
      byKey.put(c.keyId(), c);
    }
    f =
        ServerFixture.withCallers(
            dir,
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withAccess(AccessSettings.ephemeral().withClock(clock))
                // Requests at once are the point here: enough workers to run them together.
                .withJobs(dev.atelier.server.jobs.JobRunner.Settings.DEFAULT.withWorkers(4)),
            byKey);
  }

  private static Caller key(String id, int rpm, int perDay, int atOnce) {
    return new Caller(id, "owner-" + id, Set.of("images"), rpm, perDay, atOnce);
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  private HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + path)).GET();
    if (key != null) {
      b.header(ServerFixture.TEST_KEY, key);
    }
    return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest generation(String key, int n) {
    return HttpRequest.newBuilder(URI.create(f.base() + "/v1/images/generations"))
        .header("Content-Type", "application/json")
        .header(ServerFixture.TEST_KEY, key)
        .POST(
            HttpRequest.BodyPublishers.ofString(
                "{\"prompt\":\"a red fox\",\"n\":" + n + ",\"response_format\":\"b64_json\"}"))
        .build();
  }

  private HttpResponse<String> generate(String key, int n) throws Exception {
    return f.http.send(generation(key, n), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonValue.Obj error(HttpResponse<String> r) {
    ServerFixture.assertStrictJson(r.body());
    return ((JsonValue.Obj) Json.parse(r.body())).object("error").orElseThrow();
  }

  private int storedImages() throws Exception {
    return f.get("/v1/images?limit=100").json().array("data").size();
  }

  @Test
  void overThePerMinuteLimitIs429WithRetryAfterAndTheRateLimitHeaders() throws Exception {
    start(key("k1", 2, 0, 0), key("k2", 5, 0, 0));

    HttpResponse<String> first = get("/v1/models", "k1");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2");
    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("1");
    assertThat(first.headers().firstValue("x-ratelimit-reset-requests")).hasValue("60s");

    clock.advance(Duration.ofSeconds(20));
    HttpResponse<String> second = get("/v1/models", "k1");
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(second.headers().firstValue("x-ratelimit-reset-requests")).hasValue("40s");

    HttpResponse<String> third = get("/v1/models", "k1");
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.headers().firstValue("Retry-After")).hasValue("40");
    assertThat(third.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2");
    assertThat(third.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(third.headers().firstValue("x-ratelimit-reset-requests")).hasValue("40s");
    JsonValue.Obj e = error(third);
    assertThat(e.string("code", "")).isEqualTo("rate_limit_exceeded");
    assertThat(e.string("type", "")).isEqualTo("requests");
    assertThat(e.string("message", "")).contains("2 requests per minute");

    // Another key and anonymous callers are not held to k1's limit.
    assertThat(get("/v1/models", "k2").statusCode()).isEqualTo(200);
    HttpResponse<String> anonymous = get("/v1/models", null);
    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(anonymous.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();

    // The window is the minute on the clock: at 23:59:00 a new one starts with the full limit.
    clock.advance(Duration.ofSeconds(40));
    HttpResponse<String> later = get("/v1/models", "k1");
    assertThat(later.statusCode()).isEqualTo(200);
    assertThat(later.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("1");
    assertThat(later.headers().firstValue("x-ratelimit-reset-requests")).hasValue("60s");
  }

  @Test
  void aRefusedGenerationStoresNothingAndCallsNoEngine() throws Exception {
    start(key("k1", 1, 0, 0));
    assertThat(generate("k1", 1).statusCode()).isEqualTo(200);
    int calls = f.engine.calls.get();
    int stored = storedImages();

    HttpResponse<String> refused = generate("k1", 1);

    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(f.engine.calls.get()).isEqualTo(calls);
    assertThat(storedImages()).isEqualTo(stored).isEqualTo(1);
  }

  @Test
  void theDailyQuotaIs429InsufficientQuotaUntilTheNextUtcDay() throws Exception {
    start(key("k1", 0, 3, 0));
    assertThat(generate("k1", 2).statusCode()).isEqualTo(200);
    assertThat(generate("k1", 2).statusCode()).isEqualTo(200); // 2 of 3 used: still admitted

    HttpResponse<String> spent = generate("k1", 1);

    assertThat(spent.statusCode()).isEqualTo(429);
    JsonValue.Obj e = error(spent);
    assertThat(e.string("code", "")).isEqualTo("insufficient_quota");
    assertThat(e.string("message", "")).contains("daily quota of 3 images");
    assertThat(spent.headers().firstValue("Retry-After")).hasValue("120"); // 23:58 -> 00:00 UTC
    assertThat(storedImages()).isEqualTo(4);
    // Reading is not producing: the quota does not stop it.
    assertThat(get("/v1/images", "k1").statusCode()).isEqualTo(200);

    clock.advance(Duration.ofMinutes(2));
    assertThat(generate("k1", 1).statusCode()).isEqualTo(200);
  }

  @Test
  void theConcurrencyLimitRefusesAThirdRequestWhileTwoRun() throws Exception {
    start(key("k1", 0, 0, 2));
    CountDownLatch gate = new CountDownLatch(1);
    f.engine.gate = gate;
    List<CompletableFuture<HttpResponse<String>>> held =
        List.of(
            f.http.sendAsync(generation("k1", 1), HttpResponse.BodyHandlers.ofString()),
            f.http.sendAsync(generation("k1", 1), HttpResponse.BodyHandlers.ofString()));
    assertThat(f.engine.atGate.tryAcquire(2, 20, TimeUnit.SECONDS)).isTrue();
    int calls = f.engine.calls.get();

    HttpResponse<String> third = generate("k1", 1);

    assertThat(third.statusCode()).isEqualTo(429);
    JsonValue.Obj e = error(third);
    assertThat(e.string("code", "")).isEqualTo("rate_limit_exceeded");
    assertThat(e.string("message", "")).contains("2 image requests at once (concurrency limit)");
    assertThat(third.headers().firstValue("Retry-After")).isPresent();
    assertThat(f.engine.calls.get()).isEqualTo(calls);
    // Other requests are not generations: they are not held back.
    assertThat(get("/v1/models", "k1").statusCode()).isEqualTo(200);

    gate.countDown();
    for (var h : held) {
      assertThat(h.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    f.engine.gate = null;
    assertThat(generate("k1", 1).statusCode()).isEqualTo(200);
    assertThat(storedImages()).isEqualTo(3);
  }

  @Test
  void theConcurrencyLimitCountsAKeysQueuedAndRunningAsyncJobs() throws Exception {
    start(key("k1", 0, 0, 2), key("k2", 0, 0, 2));
    CountDownLatch gate = new CountDownLatch(1);
    f.engine.gate = gate;
    try {
      for (int i = 0; i < 2; i++) {
        assertThat(send(async(generation("k1", 1))).statusCode()).isEqualTo(202);
      }

      HttpResponse<String> third = send(async(generation("k1", 1)));

      assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
      assertThat(error(third).string("message", ""))
          .contains("2 image requests at once (concurrency limit)", "2 of its jobs are queued");
      assertThat(third.headers().firstValue("Retry-After")).isPresent();
      // Another key is not held back by k1's jobs.
      assertThat(send(async(generation("k2", 1))).statusCode()).isEqualTo(202);
    } finally {
      f.engine.gate = null;
      gate.countDown();
    }
  }

  private static HttpRequest async(HttpRequest r) {
    return HttpRequest.newBuilder(r, (name, value) -> true)
        .header("Prefer", "respond-async")
        .build();
  }

  private HttpResponse<String> send(HttpRequest r) throws Exception {
    return f.http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFailedGenerationGivesItsSlotBack() throws Exception {
    start(key("k1", 0, 0, 1));
    HttpResponse<String> bad =
        f.http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/images/generations"))
                .header("Content-Type", "application/json")
                .header(ServerFixture.TEST_KEY, "k1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(generate("k1", 1).statusCode()).isEqualTo(200);
  }

  @Test
  void resetIsWrittenAsOpenAiWritesDurations() {
    assertThat(RateLimits.goDuration(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(RateLimits.goDuration(Duration.ofSeconds(6))).isEqualTo("6s");
    assertThat(RateLimits.goDuration(Duration.ofMillis(1500))).isEqualTo("1.500s");
  }
}
