package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.http.ErrorMapper;
import dev.atelier.server.http.RequestLog;
import dev.atelier.server.ops.DeferredEngine;
import dev.atelier.server.ops.Metrics;
import dev.atelier.server.ops.Operations;
import dev.atelier.server.ops.QueueState;
import dev.atelier.server.ops.Readiness;
import dev.atelier.store.ApiKey;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics}, {@code /healthz} and {@code /readyz} on a real server, and the request log. */
class OpsApiTest {
  @TempDir Path dir;

  /** A sample line of the text format: {@code name{label="value",...} value [timestamp]}. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})?"
              + " (-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?");

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(String url, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (!bearer.isEmpty()) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsAreValidPrometheusTextWithRouteTemplatesJvmAndJobMeters() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      assertThat(f.get("/v1/images/img_nosuchimage").status()).isEqualTo(404);
      assertThat(f.get("/no/such/route").status()).isEqualTo(404);
      Metrics m = f.server.operations().metrics();
      m.jobQueued("generation");
      m.jobStarted("generation");
      m.jobFinished("generation", "local", "fake-model", "succeeded", Duration.ofMillis(1500));
      m.jobFailed("model_unavailable");
      m.step(Duration.ofMillis(120));
      m.imagesProduced(4);
      m.modelLoaded("fake-model", Duration.ofMillis(2500));
      // The queue gauges are the server's own (its job runner registers them).

      HttpResponse<String> r = get(f.base() + "/metrics", "");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/plain; version=0.0.4");
      List<String> lines = r.body().lines().filter(l -> !l.isBlank()).toList();
      for (String line : lines) {
        if (!line.startsWith("#")) {
          assertThat(line).as("a sample line").matches(SAMPLE);
        }
      }
      String text = r.body();
      assertThat(text)
          .contains(
              "http_server_requests_seconds_count{method=\"GET\",route=\"/v1/images/{id}\","
                  + "status=\"404\"} 1",
              "http_server_requests_seconds_bucket{method=\"GET\",route=\"/v1/images/{id}\","
                  + "status=\"404\",le=\"0.005\"}",
              "route=\"NOT_FOUND\"")
          // The raw paths never become label values.
          .doesNotContain("img_nosuchimage", "/no/such/route");
      assertThat(text)
          .contains(
              "jvm_memory_used_bytes{",
              "jvm_gc_",
              "jvm_threads_live_threads ",
              "jvm_classes_loaded_classes ",
              "process_cpu_usage ",
              "process_uptime_seconds ",
              "process_resident_memory_bytes ");
      assertThat(text)
          .contains(
              "atelier_jobs_queued_total{kind=\"generation\"} 1.0",
              "atelier_jobs_started_total{kind=\"generation\"} 1.0",
              "atelier_job_duration_seconds_bucket{engine=\"local\",kind=\"generation\","
                  + "model=\"fake-model\",status=\"succeeded\",le=\"2.0\"} 1",
              "atelier_job_failures_total{code=\"model_unavailable\"} 1.0",
              "atelier_denoising_step_seconds_count 1",
              "atelier_images_produced_total 4.0",
              "atelier_model_load_seconds{model=\"fake-model\"} 2.5",
              "atelier_model_loads_total{model=\"fake-model\"} 1.0",
              "atelier_queue_depth 0.0",
              "atelier_jobs_running 0.0");
    }
  }

  @Test
  void metricsNeedAdminOnceKeysExistWhileTheProbesNeedNoKey() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ApiKey.Issued admin =
          ApiKey.issue("ops", "", Set.of("images", "admin"), 0, 0, 0, Instant.now());
      ApiKey.Issued images = ApiKey.issue("ci", "", Set.of("images"), 0, 0, 0, Instant.now());
      assertThat(get(f.base() + "/metrics", "").statusCode()).isEqualTo(200);
      f.metadata.insertApiKey(admin.key());
      f.metadata.insertApiKey(images.key());
      awaitStatus(f.base() + "/metrics", "", 401);

      assertThat(get(f.base() + "/metrics", images.secret().reveal()).statusCode()).isEqualTo(403);
      assertThat(get(f.base() + "/metrics", "atl_not_a_key").statusCode()).isEqualTo(401);
      assertThat(get(f.base() + "/metrics", admin.secret().reveal()).statusCode()).isEqualTo(200);
      for (String probe : List.of("/healthz", "/readyz")) {
        assertThat(get(f.base() + probe, "").statusCode()).as(probe).isEqualTo(200);
        assertThat(get(f.base() + probe, "atl_not_a_key").statusCode()).as(probe).isEqualTo(200);
      }
      HttpResponse<String> health = get(f.base() + "/healthz", "");
      assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
      ServerFixture.assertStrictJson(health.body());
    }
  }

  @Test
  void readyzSaysLoadingUntilTheEngineIsSetAndRequestsWaitForIt() throws Exception {
    MetadataStore metadata = Stores.open(dir, "");
    BlobStore blobs = Stores.blobs(dir);
    FakeEngine fake = new FakeEngine();
    Readiness readiness = new Readiness(metadata);
    DeferredEngine engine = new DeferredEngine("fake", readiness);
    try (Operations ops = new Operations(new Metrics(), readiness);
        AtelierServer s =
            AtelierServer.start(
                engine,
                dev.atelier.core.edit.LocalEditor.NO_GROUNDER,
                new dev.atelier.core.edit.EditPlanner(),
                metadata,
                blobs,
                new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false),
                ops)) {
      String base = "http://127.0.0.1:" + s.port();
      engine.progress(0.25, "loading unet");
      HttpResponse<String> loading = get(base + "/readyz", "");
      assertThat(loading.statusCode()).isEqualTo(503);
      ServerFixture.assertStrictJson(loading.body());
      JsonValue.Obj model = checks(loading.body()).get("model").orElseThrow().asObject();
      assertThat(model.string("status", "")).isEqualTo("loading");
      assertThat(model.number("progress", -1)).isEqualTo(0.25);
      assertThat(model.string("detail", "")).isEqualTo("loading unet");
      assertThat(get(base + "/healthz", "").statusCode()).isEqualTo(200);

      // A generation made while loading waits for the model instead of failing.
      CompletableFuture<HttpResponse<String>> generation =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create(base + "/v1/images/generations"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a cup\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(generation).isNotDone();
      engine.set(fake);

      assertThat(generation.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(base + "/readyz", "");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      ServerFixture.assertStrictJson(ready.body());
      assertThat(ready.body()).startsWith("{\"status\":\"ready\"");
      JsonValue.Obj checks = checks(ready.body());
      assertThat(checks.get("model").orElseThrow().asObject().string("status", ""))
          .isEqualTo("ready");
      assertThat(checks.get("store").orElseThrow().asObject().string("status", "")).isEqualTo("ok");
      JsonValue.Obj queue = checks.get("queue").orElseThrow().asObject();
      assertThat(queue.string("status", "")).isEqualTo("ok");
      assertThat(queue.number("depth", -1)).isZero();

      readiness.queueFrom(() -> new QueueState(8, 8, false));
      HttpResponse<String> full = get(base + "/readyz", "");
      assertThat(full.statusCode()).isEqualTo(503);
      assertThat(full.body())
          .contains("\"queue\":{\"status\":\"full\",\"depth\":8,\"capacity\":8}");
      readiness.queueFrom(() -> QueueState.NONE);
      readiness.draining();
      assertThat(get(base + "/readyz", "").body())
          .contains("\"status\":\"not_ready\"", "\"queue\":{\"status\":\"draining\"");
    } finally {
      engine.close();
      metadata.close();
    }
    assertThatThrownBy(
            () ->
                engine.generate(
                    new GenerationRequest(
                        "x", new ImageSize(64, 64), SamplingParams.builder().build()),
                    ProgressListener.NONE,
                    CancellationToken.none()))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageContaining("shutting down");
  }

  @Test
  void readyzSaysStoreFailedOnceTheStoreIsClosed() throws Exception {
    ServerFixture f = new ServerFixture(dir);
    try {
      assertThat(f.get("/readyz").status()).isEqualTo(200);
      f.metadata.close();
      ServerFixture.Reply r = f.get("/readyz");
      assertThat(r.status()).isEqualTo(503);
      JsonValue.Obj store = checks(r.body()).get("store").orElseThrow().asObject();
      assertThat(store.string("status", "")).isEqualTo("failed");
      assertThat(store.string("detail", "")).isNotEmpty();
    } finally {
      f.server.close();
    }
  }

  @Test
  void aFailedLoadAnswers503ModelUnavailableAndReadyzSaysFailed() throws Exception {
    try (MetadataStore metadata = Stores.open(dir, "")) {
      Readiness readiness = new Readiness(metadata);
      DeferredEngine engine = new DeferredEngine("local", readiness);
      assertThat(readiness.check().ready()).isFalse();
      engine.fail("unet/model.onnx is missing");
      assertThat(readiness.check().body())
          .contains("\"model\":{\"status\":\"failed\",\"detail\":\"unet/model.onnx is missing\"}");
      assertThatThrownBy(() -> engine.promptTokens("x"))
          .isInstanceOf(AtelierException.ModelUnavailable.class)
          .hasMessage("the model failed to load: unet/model.onnx is missing");
      assertThat(ErrorMapper.map(new AtelierException.ModelUnavailable("x")).status())
          .isEqualTo(503);
      assertThatThrownBy(() -> readiness.loading(1.5, "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("progress must be 0.0..1.0 but was 1.5");
    }
  }

  @Test
  void theRequestLogLineNamesOwnerAndRouteAndNoSecret() throws Exception {
    PrintStream realErr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(
        new PrintStream(new AuthApiTest.TeeStream(realErr, log), true, StandardCharsets.UTF_8));
    try (ServerFixture f = new ServerFixture(dir)) {
      ApiKey.Issued alice =
          ApiKey.issue("alice", "", ApiKey.DEFAULT_SCOPES, 0, 0, 0, Instant.now());
      f.metadata.insertApiKey(alice.key());
      awaitStatus(f.base() + "/v1/images/img_x", "", 401);
      HttpResponse<String> r =
          get(
              f.base() + "/v1/images/img_secretid/content?expires=1&sig=SIGNATURE",
              alice.secret().reveal());
      assertThat(r.statusCode()).isEqualTo(404);
      String id = r.headers().firstValue(RequestLog.HEADER).orElseThrow();
      String line = awaitLine(log, id);
      assertThat(line)
          .contains("GET /v1/images/{id}/content 404 ", " ms " + id + " owner=alice")
          .doesNotContain(alice.secret().reveal())
          .doesNotContain("SIGNATURE")
          .doesNotContain("img_secretid");
      HttpResponse<String> anonymous = get(f.base() + "/healthz", "");
      String anonymousLine =
          awaitLine(log, anonymous.headers().firstValue(RequestLog.HEADER).orElseThrow());
      assertThat(anonymousLine).contains("GET /healthz 200 ").endsWith("owner=-");
    } finally {
      System.setErr(realErr);
    }
  }

  private static JsonValue.Obj checks(String body) {
    return dev.atelier.core.json.Json.parse(body).asObject().get("checks").orElseThrow().asObject();
  }

  /** Waits until {@code url} answers {@code status} (the key list is re-read once a second). */
  private void awaitStatus(String url, String bearer, int status) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int last = -1;
    while (System.nanoTime() < end) {
      last = get(url, bearer).statusCode();
      if (last == status) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError(url + " answered " + last + ", not " + status);
  }

  /** The log line that ends with request id {@code id} (the log is written after the answer). */
  private static String awaitLine(ByteArrayOutputStream log, String id) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      for (String line : log.toString(StandardCharsets.UTF_8).lines().toList()) {
        if (line.contains(" " + id + " owner=")) {
          return line.strip();
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("no log line for " + id + " in:\n" + log);
  }
}
