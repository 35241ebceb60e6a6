package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.Engine;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.models.ModelSet;
import dev.atelier.server.ops.DeferredEngine;
import dev.atelier.server.ops.Metrics;
import dev.atelier.server.ops.Operations;
import dev.atelier.server.ops.Readiness;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} with several models: every served model is listed with its state, and only the
 * default model decides readiness (a failed load of another model shows but keeps the server
 * ready).
 */
class ModelReadinessApiTest {
  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * A server whose default {@code t2i} loads behind a deferred engine (as {@code serve} loads it)
   * and may be unloaded under a budget, and whose {@code inpaint} loads on first use; each loader
   * runs what the test put in its reference.
   */
  private final class Served implements AutoCloseable {
    final MetadataStore metadata = Stores.open(dir, "");
    final BlobStore blobs = Stores.blobs(dir);
    final Readiness readiness = new Readiness(metadata);
    final Operations ops = new Operations(new Metrics(), readiness);
    final DeferredEngine first = new DeferredEngine("fake", readiness);
    final AtomicReference<Supplier<Engine>> reloadFirst =
        new AtomicReference<>(ModelReadinessApiTest::fake);
    final AtomicReference<Supplier<Engine>> loadInpaint =
        new AtomicReference<>(ModelReadinessApiTest::fake);
    final ModelSet models;
    final AtelierServer server;

    Served(long budget) {
      models =
          ModelSet.builder()
              .reloadable(
                  "t2i", ModelSet.Kind.TEXT_TO_IMAGE, first, 4, () -> reloadFirst.get().get())
              .lazy("inpaint", ModelSet.Kind.INPAINTING, "local", 4, () -> loadInpaint.get().get())
              .maxMemory(budget)
              .build();
      server =
          AtelierServer.start(
              models,
              LocalEditor.NO_GROUNDER,
              new EditPlanner(),
              metadata,
              blobs,
              new ServerConfig("127.0.0.1", 0, "t2i", 64, Instant.now(), false),
              ops);
    }

    HttpResponse<String> readyz() throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/readyz"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      ServerFixture.assertStrictJson(r.body());
      return r;
    }

    HttpResponse<String> generate(String model) throws Exception {
      return http.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + server.port() + "/v1/images/generations"))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"prompt\":\"a cup\",\"model\":\"" + model + "\"}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
      server.close();
      models.close();
      ops.close();
      metadata.close();
    }
  }

  private static Engine fake() {
    return new FakeEngine();
  }

  private static Engine failing() {
    throw new IllegalStateException("unet/model.onnx is missing");
  }

  private static List<JsonValue.Obj> models(HttpResponse<String> readyz) {
    return Json.parse(readyz.body()).asObject().array("models").stream()
        .map(JsonValue::asObject)
        .toList();
  }

  private static JsonValue.Obj modelCheck(HttpResponse<String> readyz) {
    return Json.parse(readyz.body())
        .asObject()
        .object("checks")
        .orElseThrow()
        .object("model")
        .orElseThrow();
  }

  @Test
  void readyzListsEveryModelAndIsReadyOnceTheDefaultLoadedWhileOthersAreNotLoaded()
      throws Exception {
    try (Served s = new Served(100)) {
      s.first.progress(0.25, "loading unet");

      HttpResponse<String> loading = s.readyz();

      assertThat(loading.statusCode()).isEqualTo(503);
      assertThat(modelCheck(loading).string("status", "")).isEqualTo("loading");
      List<JsonValue.Obj> listed = models(loading);
      assertThat(listed).extracting(m -> m.string("id", "")).containsExactly("t2i", "inpaint");
      assertThat(listed)
          .extracting(m -> m.string("kind", ""))
          .containsExactly("text-to-image", "inpainting");
      assertThat(listed).extracting(m -> m.bool("default", false)).containsExactly(true, false);
      assertThat(listed)
          .extracting(m -> m.string("state", ""))
          .containsExactly("loading", "not_loaded");
      assertThat(listed.get(0).number("progress", -1)).isEqualTo(0.25);
      assertThat(listed.get(0).string("detail", "")).isEqualTo("loading unet");
      assertThat(listed.get(1).number("progress", -1)).isZero();

      s.first.set(new FakeEngine());
      HttpResponse<String> ready = s.readyz();

      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(ready.body()).startsWith("{\"status\":\"ready\"");
      assertThat(modelCheck(ready).string("status", "")).isEqualTo("ready");
      assertThat(models(ready))
          .extracting(m -> m.string("state", ""))
          .containsExactly("ready", "not_loaded");
      assertThat(models(ready).get(0).number("progress", -1)).isEqualTo(1);
      assertThat(models(ready).get(0).string("detail", "x")).isEmpty();
    }
  }

  @Test
  void aNonDefaultModelThatFailedToLoadShowsFailedButTheServerStaysReady() throws Exception {
    try (Served s = new Served(100)) {
      s.first.set(new FakeEngine());
      s.loadInpaint.set(ModelReadinessApiTest::failing);

      HttpResponse<String> refused = s.generate("inpaint");

      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.body()).contains("model_unavailable", "unet/model.onnx is missing");
      HttpResponse<String> after = s.readyz();
      assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
      JsonValue.Obj inpaint = models(after).get(1);
      assertThat(inpaint.string("state", "")).isEqualTo("failed");
      assertThat(inpaint.string("detail", "")).isEqualTo("unet/model.onnx is missing");
      assertThat(modelCheck(after).string("status", "")).isEqualTo("ready");
      assertThat(s.ops.metrics().scrape())
          .contains("atelier_model_load_failures_total{model=\"inpaint\"} 1.0")
          .contains("atelier_model_state{model=\"inpaint\",state=\"failed\"} 1.0");

      // The next request tries again.
      s.loadInpaint.set(ModelReadinessApiTest::fake);
      HttpResponse<String> loaded = s.generate("inpaint");
      assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(200);
      JsonValue.Obj again = models(s.readyz()).get(1);
      assertThat(again.string("state", "")).isEqualTo("ready");
      assertThat(again.string("detail", "x")).isEmpty();
    }
  }

  @Test
  void theDefaultModelFailingToLoadMakesTheServerNotReady() throws Exception {
    try (Served s = new Served(100)) {
      s.first.fail("unet/model.onnx is missing");

      HttpResponse<String> r = s.readyz();

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(modelCheck(r).string("status", "")).isEqualTo("failed");
      JsonValue.Obj t2i = models(r).get(0);
      assertThat(t2i.string("state", "")).isEqualTo("failed");
      assertThat(t2i.string("detail", "")).isEqualTo("unet/model.onnx is missing");
      assertThat(models(r).get(1).string("state", "")).isEqualTo("not_loaded");
    }
  }

  @Test
  void aDefaultModelUnloadedByTheBudgetKeepsTheServerReadyUntilItsReloadFails() throws Exception {
    // Room for one model: loading inpaint unloads the idle default.
    try (Served s = new Served(5)) {
      s.first.set(new FakeEngine());
      assertThat(s.generate("inpaint").statusCode()).isEqualTo(200);

      HttpResponse<String> unloaded = s.readyz();

      assertThat(unloaded.statusCode()).as(unloaded.body()).isEqualTo(200);
      assertThat(models(unloaded))
          .extracting(m -> m.string("state", ""))
          .containsExactly("not_loaded", "ready");

      s.reloadFirst.set(ModelReadinessApiTest::failing);
      assertThat(s.generate("t2i").statusCode()).isEqualTo(503);

      HttpResponse<String> failed = s.readyz();
      assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
      assertThat(modelCheck(failed).string("status", "")).isEqualTo("failed");
      assertThat(modelCheck(failed).string("detail", "")).isEqualTo("unet/model.onnx is missing");
      assertThat(models(failed).get(0).string("state", "")).isEqualTo("failed");
    }
  }
}
