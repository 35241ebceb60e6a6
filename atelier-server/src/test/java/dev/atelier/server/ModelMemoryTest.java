package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.server.models.ModelSet;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A memory budget over several models: before a load would go over it, the least recently used idle
 * models unload (their engines closed, {@code not_loaded} on {@code /v1/models}) and load again on
 * their next request; a model running a call is never unloaded.
 */
class ModelMemoryTest {
  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  /** A fake engine of a declared size that counts its closes. */
  private static final class Sized implements Engine {
    final FakeEngine fake = new FakeEngine();
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public List<GeneratedImage> generate(
        GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
      return fake.generate(request, progress, cancel);
    }

    @Override
    public List<GeneratedImage> edit(
        EditRequest request, ProgressListener progress, CancellationToken cancel) {
      return fake.edit(request, progress, cancel);
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  /** A server whose models (id to estimated bytes) load lazily under {@code budget} bytes. */
  private final class Budgeted implements AutoCloseable {
    final Map<String, AtomicInteger> loads = new LinkedHashMap<>();
    final Map<String, Sized> engines = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, CountDownLatch> gates = new java.util.concurrent.ConcurrentHashMap<>();
    final ModelSet models;
    final MetadataStore metadata = Stores.open(dir, "");
    final BlobStore blobs = Stores.blobs(dir);
    final AtelierServer server;

    Budgeted(long budget, Map<String, Long> sizes) {
      ModelSet.Builder b = ModelSet.builder().maxMemory(budget);
      sizes.forEach(
          (id, bytes) -> {
            AtomicInteger count = new AtomicInteger();
            loads.put(id, count);
            b.lazy(
                id,
                ModelSet.Kind.TEXT_TO_IMAGE,
                "local",
                bytes,
                () -> {
                  count.incrementAndGet();
                  Sized e = new Sized();
                  e.fake.gate = gates.get(id);
                  engines.put(id, e);
                  return e;
                });
          });
      models = b.build();
      ServerConfig config =
          new ServerConfig("127.0.0.1", 0, models.first().id(), 64, Instant.now(), false)
              .withJobs(JobRunner.Settings.DEFAULT.withWorkers(3));
      server =
          AtelierServer.start(
              models, LocalEditor.NO_GROUNDER, new EditPlanner(), metadata, blobs, config, c -> {});
    }

    HttpResponse<String> generate(String model) throws Exception {
      HttpRequest r =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + server.port() + "/v1/images/generations"))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"prompt\":\"a cup\",\"model\":\"" + model + "\"}"))
              .build();
      HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return response;
    }

    CompletableFuture<HttpResponse<String>> generateAsync(String model) {
      return CompletableFuture.supplyAsync(
          () -> {
            try {
              return generate(model);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    }

    /** Each model's state on {@code /v1/models}, by id. */
    Map<String, String> states() throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Map<String, String> m = new LinkedHashMap<>();
      for (JsonValue v : Json.parse(r.body()).asObject().array("data")) {
        m.put(v.asObject().string("id", ""), v.asObject().string("state", ""));
      }
      return m;
    }

    /** {@code GET /metrics}. */
    String metrics() throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    }

    int loads(String id) {
      return loads.get(id).get();
    }

    @Override
    public void close() {
      server.close();
      models.close();
      metadata.close();
    }
  }

  @Test
  void theLeastRecentlyUsedIdleModelUnloadsAndReloadsOnItsNextRequest() throws Exception {
    try (Budgeted s = new Budgeted(10, Map.of("a", 4L, "b", 4L, "c", 4L))) {
      assertThat(s.states()).containsEntry("a", "not_loaded");
      s.generate("a");
      s.generate("b");
      s.generate("a");
      assertThat(s.states()).containsEntry("a", "ready").containsEntry("b", "ready");

      s.generate("c"); // 12 bytes would not fit: b was used least recently

      assertThat(s.states())
          .containsEntry("a", "ready")
          .containsEntry("b", "not_loaded")
          .containsEntry("c", "ready");
      Sized firstB = s.engines.get("b");
      assertThat(firstB.closes.get()).as("b's engine closed").isEqualTo(1);

      s.generate("b"); // loads again; now a is the least recently used

      assertThat(s.loads("b")).as("b's loader").isEqualTo(2);
      assertThat(s.engines.get("b")).isNotSameAs(firstB);
      assertThat(s.states())
          .containsEntry("a", "not_loaded")
          .containsEntry("b", "ready")
          .containsEntry("c", "ready");
      assertThat(s.loads("a")).isEqualTo(1);
      assertThat(s.loads("c")).isEqualTo(1);
    }
  }

  @Test
  void metricsShowEachModelsLoadsUnloadsStateAndEstimatedMemory() throws Exception {
    try (Budgeted s = new Budgeted(10, Map.of("a", 4L, "b", 4L, "c", 4L))) {
      assertThat(s.metrics())
          .contains(
              "atelier_model_state{model=\"a\",state=\"not_loaded\"} 1.0",
              "atelier_model_state{model=\"a\",state=\"ready\"} 0.0",
              "atelier_model_memory_bytes{model=\"a\"} 0.0",
              "atelier_model_loads_total{model=\"a\"} 0.0",
              "atelier_model_load_seconds{model=\"a\"} 0.0",
              "atelier_model_memory_budget_bytes 10.0");
      s.generate("a");
      s.generate("b");
      s.generate("a");

      s.generate("c"); // b was used least recently: it unloads

      String text = s.metrics();
      assertThat(text)
          .contains(
              "atelier_model_loads_total{model=\"a\"} 1.0",
              "atelier_model_loads_total{model=\"b\"} 1.0",
              "atelier_model_loads_total{model=\"c\"} 1.0",
              "atelier_model_unloads_total{model=\"b\",reason=\"lru\"} 1.0",
              "atelier_model_memory_bytes{model=\"a\"} 4.0",
              "atelier_model_memory_bytes{model=\"b\"} 0.0",
              "atelier_model_memory_bytes{model=\"c\"} 4.0",
              "atelier_model_state{model=\"a\",state=\"ready\"} 1.0",
              "atelier_model_state{model=\"b\",state=\"not_loaded\"} 1.0",
              "atelier_model_state{model=\"b\",state=\"ready\"} 0.0",
              // Each job's time carries the model it ran on.
              "atelier_job_duration_seconds_count{engine=\"local\",kind=\"image_generation\","
                  + "model=\"a\",status=\"completed\"} 2",
              "atelier_job_duration_seconds_count{engine=\"local\",kind=\"image_generation\","
                  + "model=\"c\",status=\"completed\"} 1")
          .doesNotContain("reason=\"shutdown\"")
          .containsPattern("(?m)^atelier_model_load_seconds\\{model=\"c\"\\} [0-9.eE-]+$");
      assertThat(text.lines().filter(l -> l.startsWith("atelier_model_state{model=\"a\"")))
          .hasSize(ModelSet.State.values().length);

      s.models.close(); // as the server's owner closes it at shutdown

      // Unloaded at shutdown: the two models still loaded.
      assertThat(s.metrics())
          .contains(
              "atelier_model_unloads_total{model=\"a\",reason=\"shutdown\"} 1.0",
              "atelier_model_unloads_total{model=\"c\",reason=\"shutdown\"} 1.0")
          .doesNotContain("atelier_model_unloads_total{model=\"b\",reason=\"shutdown\"}");
    }
  }

  @Test
  void aModelRunningACallIsNeverUnloadedTheNextLeastRecentlyUsedIs() throws Exception {
    try (Budgeted s = new Budgeted(10, Map.of("a", 4L, "b", 4L, "c", 4L))) {
      CountDownLatch gate = new CountDownLatch(1);
      s.gates.put("a", gate);
      CompletableFuture<HttpResponse<String>> running = s.generateAsync("a");
      await(() -> s.engines.containsKey("a"), "a loads");
      assertThat(s.engines.get("a").fake.atGate.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
      s.generate("b");

      s.generate("c"); // a was used least recently but runs a call: b unloads

      assertThat(s.states())
          .containsEntry("a", "ready")
          .containsEntry("b", "not_loaded")
          .containsEntry("c", "ready");
      assertThat(s.engines.get("a").closes.get()).isZero();

      gate.countDown();
      assertThat(running.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(s.loads("a")).isEqualTo(1);
    }
  }

  @Test
  void aLoadThatCannotMakeRoomGoesOverAndTheExcessUnloadsOnceIdle() throws Exception {
    try (Budgeted s = new Budgeted(5, Map.of("a", 4L, "b", 4L))) {
      CountDownLatch gate = new CountDownLatch(1);
      s.gates.put("a", gate);
      CompletableFuture<HttpResponse<String>> running = s.generateAsync("a");
      await(() -> s.engines.containsKey("a"), "a loads");
      assertThat(s.engines.get("a").fake.atGate.tryAcquire(30, TimeUnit.SECONDS)).isTrue();

      s.generate("b"); // a is in use: b loads anyway, over the budget

      assertThat(s.states()).containsEntry("a", "ready").containsEntry("b", "ready");

      gate.countDown();
      assertThat(running.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      // a's call ended last, so b is the least recently used once both are idle.
      await(() -> s.states().get("b").equals("not_loaded"), "b unloads once a is idle");
      assertThat(s.states()).containsEntry("a", "ready");
      assertThat(s.engines.get("b").closes.get()).isEqualTo(1);
    }
  }

  @Test
  void aModelBiggerThanTheBudgetStillLoadsAndStaysLoaded() throws Exception {
    try (Budgeted s = new Budgeted(10, Map.of("small", 4L, "big", 20L))) {
      s.generate("small");
      s.generate("big");
      s.generate("big");

      assertThat(s.states()).containsEntry("small", "not_loaded").containsEntry("big", "ready");
      assertThat(s.loads("big")).isEqualTo(1);
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(Check condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }
}
