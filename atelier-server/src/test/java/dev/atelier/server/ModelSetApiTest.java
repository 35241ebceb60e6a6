package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.server.models.ModelSet;
import dev.atelier.store.BlobStore;
import dev.atelier.store.JobStatus;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several models in one server: {@code /v1/models} lists each with its kind and state, a request's
 * {@code model} picks the engine, a lazily loaded model loads once, and a stored job runs on the
 * model its request named after a restart.
 */
class ModelSetApiTest {
  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  /** A server with {@code t2i} (given, ready) and {@code inpaint} (loaded on first use). */
  private final class TwoModels implements AutoCloseable {
    final FakeEngine t2i = new FakeEngine();
    final FakeEngine inpaint = new FakeEngine();
    final AtomicInteger loads = new AtomicInteger();
    final CountDownLatch loadGate = new CountDownLatch(1);
    final ModelSet models;
    final MetadataStore metadata = Stores.open(dir, "");
    final BlobStore blobs = Stores.blobs(dir);
    final AtelierServer server;

    TwoModels(boolean gated, int workers, Grounder grounder) {
      models =
          ModelSet.builder()
              .add("t2i", ModelSet.Kind.TEXT_TO_IMAGE, t2i)
              .lazy(
                  "inpaint",
                  ModelSet.Kind.INPAINTING,
                  "local",
                  () -> {
                    loads.incrementAndGet();
                    if (gated) {
                      try {
                        loadGate.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                    return inpaint;
                  })
              .build();
      ServerConfig config =
          new ServerConfig("127.0.0.1", 0, "t2i", 64, Instant.now(), false)
              .withJobs(JobRunner.Settings.DEFAULT.withWorkers(workers));
      server =
          AtelierServer.start(
              models, grounder, new EditPlanner(), metadata, blobs, config, c -> {});
    }

    TwoModels() {
      this(false, 1, LocalEditor.NO_GROUNDER);
    }

    HttpResponse<String> post(String path, String json, String... headers) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json));
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<JsonValue.Obj> models() throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return Json.parse(r.body()).asObject().array("data").stream()
          .map(JsonValue::asObject)
          .toList();
    }

    String state(String id) throws Exception {
      return models().stream()
          .filter(m -> m.string("id", "").equals(id))
          .findFirst()
          .orElseThrow()
          .string("state", "");
    }

    @Override
    public void close() {
      server.close();
      models.close();
      metadata.close();
    }
  }

  @Test
  void modelsListsEachServedModelWithItsKindAndState() throws Exception {
    try (TwoModels s = new TwoModels()) {
      List<JsonValue.Obj> listed = s.models();
      assertThat(listed).extracting(m -> m.string("id", "")).containsExactly("t2i", "inpaint");
      assertThat(listed)
          .extracting(m -> m.string("kind", ""))
          .containsExactly("text-to-image", "inpainting");
      assertThat(listed)
          .extracting(m -> m.string("state", ""))
          .containsExactly("ready", "not_loaded");
      assertThat(listed).allSatisfy(m -> assertThat(m.string("object", "")).isEqualTo("model"));

      HttpResponse<String> r =
          s.post("/v1/images/generations", "{\"prompt\":\"a cup\",\"model\":\"inpaint\"}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

      assertThat(s.state("inpaint")).isEqualTo("ready");
    }
  }

  @Test
  void theModelFieldPicksTheEngineAndAbsentOrOpenAiNamesPickTheFirst() throws Exception {
    try (TwoModels s = new TwoModels()) {
      HttpResponse<String> picked =
          s.post("/v1/images/generations", "{\"prompt\":\"a cup\",\"model\":\"inpaint\"}");
      assertThat(picked.statusCode()).as(picked.body()).isEqualTo(200);
      assertThat(Json.parse(picked.body()).asObject().string("model", "")).isEqualTo("inpaint");
      assertThat(s.inpaint.calls.get()).isEqualTo(1);
      assertThat(s.t2i.calls.get()).isZero();

      for (String body :
          new String[] {
            "{\"prompt\":\"a cup\"}",
            "{\"prompt\":\"a cup\",\"model\":\"gpt-image-1\"}",
            "{\"prompt\":\"a cup\",\"model\":\"t2i\"}"
          }) {
        HttpResponse<String> r = s.post("/v1/images/generations", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.parse(r.body()).asObject().string("model", "")).isEqualTo("t2i");
      }
      assertThat(s.t2i.calls.get()).isEqualTo(3);
      assertThat(s.inpaint.calls.get()).isEqualTo(1);
    }
  }

  @Test
  void anUnknownModelIsA400NamingModelAndListingTheServedIds() throws Exception {
    try (TwoModels s = new TwoModels()) {
      HttpResponse<String> r =
          s.post("/v1/images/generations", "{\"prompt\":\"a cup\",\"model\":\"sdxl\"}");

      assertThat(r.statusCode()).isEqualTo(400);
      JsonValue.Obj error = Json.parse(r.body()).asObject().object("error").orElseThrow();
      assertThat(error.string("param", "")).isEqualTo("model");
      assertThat(error.string("code", "")).isEqualTo("model_not_found");
      assertThat(error.string("message", ""))
          .startsWith("model must be one of 't2i', 'inpaint'")
          .endsWith("but was 'sdxl'");
      assertThat(s.loads.get()).isZero();
      assertThat(s.t2i.calls.get() + s.inpaint.calls.get()).isZero();
    }
  }

  @Test
  void concurrentFirstRequestsForALazyModelLoadItOnce() throws Exception {
    try (TwoModels s = new TwoModels(true, 4, LocalEditor.NO_GROUNDER)) {
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String body = "{\"prompt\":\"a cup " + i + "\",\"model\":\"inpaint\"}";
        sent.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return s.post("/v1/images/generations", body);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      await(() -> s.server.jobs().runningHere() == 4, "four jobs wait for the model");
      assertThat(s.state("inpaint")).isEqualTo("loading");

      s.loadGate.countDown();

      for (CompletableFuture<HttpResponse<String>> f : sent) {
        HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      assertThat(s.loads.get()).as("loader invocations").isEqualTo(1);
      assertThat(s.inpaint.calls.get()).isEqualTo(4);
      assertThat(s.state("inpaint")).isEqualTo("ready");
    }
  }

  @Test
  void aJobPreparedAgainAfterARestartRunsOnTheModelItsRequestNamed() throws Exception {
    String id;
    try (TwoModels before = new TwoModels()) {
      before.inpaint.stepMillis = 100;
      HttpResponse<String> accepted =
          before.post(
              "/v1/images/generations",
              "{\"prompt\":\"a cup\",\"model\":\"inpaint\",\"steps\":100}",
              "Prefer",
              "respond-async");
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      id = Json.parse(accepted.body()).asObject().string("id", "");
      await(() -> before.inpaint.stepsRun.get() >= 1, "the job runs on inpaint");
      // Given back to the queue, as a restart with a running job leaves it.
      assertThat(before.server.drain(Duration.ofMillis(200)).givenBack()).isEqualTo(1);
      assertThat(before.metadata.job(id).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
    }

    try (TwoModels after = new TwoModels()) {
      await(
          () -> after.metadata.job(id).orElseThrow().status() == JobStatus.COMPLETED,
          "the stored job completes after the restart");
      assertThat(after.loads.get()).isEqualTo(1);
      assertThat(after.inpaint.calls.get()).isEqualTo(1);
      assertThat(after.t2i.calls.get()).isZero();
    }
  }

  @Test
  void aSessionsPlainWordsRoundsUseTheServedInpaintingModel() throws Exception {
    try (TwoModels s = new TwoModels(false, 1, new FakeGrounder())) {
      HttpResponse<String> created = s.post("/v1/sessions", "{\"prompt\":\"a cup on a table\"}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String session = Json.parse(created.body()).asObject().string("id", "");
      assertThat(s.t2i.calls.get()).as("the first image").isEqualTo(1);
      assertThat(s.inpaint.calls.get()).isZero();

      HttpResponse<String> round =
          s.post(
              "/v1/sessions/" + session + "/rounds",
              "{\"instruction\":\"make the cup matte dark green\"}");

      assertThat(round.statusCode()).as(round.body()).isEqualTo(200);
      assertThat(s.inpaint.calls.get()).as("the region's redraw").isEqualTo(1);
      assertThat(s.t2i.calls.get()).isEqualTo(1);
    }
  }

  @Test
  void aWholeImageRoundStaysOnTheTextToImageModelWhenAnInpaintingModelIsServed() throws Exception {
    try (TwoModels s = new TwoModels(false, 1, new FakeGrounder())) {
      HttpResponse<String> created = s.post("/v1/sessions", "{\"prompt\":\"a cup on a table\"}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String session = Json.parse(created.body()).asObject().string("id", "");

      // A restyle of the whole image is image-to-image, which an inpainting UNet cannot run.
      HttpResponse<String> round =
          s.post(
              "/v1/sessions/" + session + "/rounds",
              "{\"instruction\":\"make it a watercolor painting\"}");

      assertThat(round.statusCode()).as(round.body()).isEqualTo(200);
      assertThat(s.t2i.calls.get()).as("the first image and the restyle").isEqualTo(2);
      assertThat(s.inpaint.calls.get()).isZero();
      assertThat(s.loads.get()).as("the inpainting model was not even loaded").isZero();
    }
  }

  @Test
  void aSessionKeepsTheModelItWasCreatedWith() throws Exception {
    try (TwoModels s = new TwoModels()) {
      HttpResponse<String> created =
          s.post("/v1/sessions", "{\"prompt\":\"a cup on a table\",\"model\":\"inpaint\"}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String session = Json.parse(created.body()).asObject().string("id", "");
      assertThat(s.inpaint.calls.get()).isEqualTo(1);

      HttpResponse<String> round =
          s.post("/v1/sessions/" + session + "/rounds", "{\"instruction\":\"make it blue\"}");
      assertThat(round.statusCode()).as(round.body()).isEqualTo(200);
      assertThat(s.inpaint.calls.get()).as("a round without model").isEqualTo(2);

      HttpResponse<String> aliased =
          s.post(
              "/v1/sessions/" + session + "/rounds",
              "{\"instruction\":\"make it red\",\"model\":\"gpt-image-1\"}");
      assertThat(aliased.statusCode()).as(aliased.body()).isEqualTo(200);
      assertThat(s.inpaint.calls.get()).as("an OpenAI name means the session's model").isEqualTo(3);
      assertThat(s.t2i.calls.get()).isZero();

      HttpResponse<String> restarted =
          s.post("/v1/sessions/" + session + "/restart", "{\"strength\":0.5}");
      assertThat(restarted.statusCode()).as(restarted.body()).isEqualTo(200);
      assertThat(s.inpaint.calls.get()).as("a restart without model").isEqualTo(4);
      assertThat(s.t2i.calls.get()).isZero();

      HttpResponse<String> named =
          s.post(
              "/v1/sessions/" + session + "/rounds",
              "{\"instruction\":\"make it green\",\"model\":\"t2i\"}");
      assertThat(named.statusCode()).as(named.body()).isEqualTo(200);
      assertThat(s.t2i.calls.get()).as("a round that names another served model").isEqualTo(1);
      assertThat(s.inpaint.calls.get()).isEqualTo(4);
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
