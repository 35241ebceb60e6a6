package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.models.ModelProfile;
import dev.atelier.server.models.ModelProfile.Family;
import dev.atelier.server.models.ModelSet;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes and defaults per model family over HTTP: OpenAI's sizes land on SDXL's aspect buckets
 * (scaled to a tiny model's native side) and the response says so; other sizes and SD 1.5 models
 * keep the size as sent; few-step models default to guidance 0 and 1-4 steps; masked edits go to an
 * inpainting model of the same family only.
 */
class SdxlSizesApiTest {
  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final FakeEngine sdxl = new FakeEngine();
  private final FakeEngine tinySdxl = new FakeEngine();
  private final FakeEngine turbo = new FakeEngine();
  private final FakeEngine sd15 = new FakeEngine();
  private final FakeEngine sdxlInpaint = new FakeEngine();
  private final FakeEngine sdInpaint = new FakeEngine();
  private ModelSet models;
  private MetadataStore metadata;
  private BlobStore blobs;
  private AtelierServer server;

  static final ModelProfile SDXL = new ModelProfile(Family.SDXL, 1024, 32, false);
  static final ModelProfile TINY_SDXL = new ModelProfile(Family.SDXL, 64, 4, false);
  static final ModelProfile SD15 = new ModelProfile(Family.SD, 512, 64, false);

  @BeforeEach
  void start() {
    models =
        ModelSet.builder()
            .add("sdxl", ModelSet.Kind.TEXT_TO_IMAGE, SDXL, sdxl)
            .add("tiny-sdxl", ModelSet.Kind.TEXT_TO_IMAGE, TINY_SDXL, tinySdxl)
            .add(
                "sdxl-turbo",
                ModelSet.Kind.TEXT_TO_IMAGE,
                new ModelProfile(Family.SDXL, 64, 4, true),
                turbo)
            .add("sd15", ModelSet.Kind.TEXT_TO_IMAGE, SD15, sd15)
            .add("sd15-inpaint", ModelSet.Kind.INPAINTING, SD15, sdInpaint)
            .add("sdxl-inpaint", ModelSet.Kind.INPAINTING, SDXL, sdxlInpaint)
            .build();
    metadata = Stores.open(dir, "");
    blobs = Stores.blobs(dir);
    server =
        AtelierServer.start(
            models,
            LocalEditor.NO_GROUNDER,
            new EditPlanner(),
            metadata,
            blobs,
            new ServerConfig("127.0.0.1", 0, "sdxl", 1024, Instant.now(), false),
            c -> {});
  }

  @AfterEach
  void stop() {
    server.close();
    models.close();
    metadata.close();
  }

  private JsonValue.Obj post(String path, String json) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
    return Json.parse(r.body()).asObject();
  }

  private JsonValue.Obj generate(String model, String size) throws Exception {
    return post(
        "/v1/images/generations",
        "{\"prompt\":\"a cup\",\"steps\":1,\"model\":\""
            + model
            + "\""
            + (size == null ? "" : ",\"size\":\"" + size + "\"")
            + "}");
  }

  private static List<String> warnings(JsonValue.Obj response) {
    return response.array("warnings").stream().map(w -> ((JsonValue.Str) w).value()).toList();
  }

  private static ImageSize lastSize(FakeEngine e) {
    synchronized (e.prompts) {
      return e.generations.getLast().size();
    }
  }

  @Test
  void modelsSayTheirFamilyNativeSizeAndFewStepness() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/models"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, JsonValue.Obj> byId = new java.util.HashMap<>();
    for (JsonValue m : Json.parse(r.body()).asObject().array("data")) {
      byId.put(m.asObject().string("id", ""), m.asObject());
    }
    assertThat(byId.get("sdxl").string("family", "")).isEqualTo("sdxl");
    assertThat(byId.get("sdxl").string("native_size", "")).isEqualTo("1024x1024");
    assertThat(byId.get("sdxl").integer("size_multiple", 0)).isEqualTo(32);
    assertThat(byId.get("sdxl").get("few_step")).hasValue(new JsonValue.Bool(false));
    assertThat(byId.get("sdxl-turbo").get("few_step")).hasValue(new JsonValue.Bool(true));
    assertThat(byId.get("sd15").string("family", "")).isEqualTo("sd");
    assertThat(byId.get("sd15").string("native_size", "")).isEqualTo("512x512");
  }

  @Test
  void openAiSizesLandOnTheNearestSdxlBucketAndTheResponseSaysSo() throws Exception {
    JsonValue.Obj wide = generate("sdxl", "1536x1024");
    assertThat(wide.string("size", "")).isEqualTo("1216x832");
    assertThat(lastSize(sdxl)).isEqualTo(new ImageSize(1216, 832));
    assertThat(warnings(wide))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith("size 1536x1024 was made at 1216x832, the nearest SDXL aspect"));

    JsonValue.Obj tall = generate("sdxl", "1024x1536");
    assertThat(tall.string("size", "")).isEqualTo("832x1216");

    JsonValue.Obj square = generate("sdxl", "1024x1024");
    assertThat(square.string("size", "")).isEqualTo("1024x1024");
    assertThat(warnings(square)).noneMatch(w -> w.startsWith("size "));

    assertThat(generate("sdxl", "auto").string("size", "")).isEqualTo("1024x1024");
  }

  @Test
  void bucketsScaleWithATinyModelsNativeSide() throws Exception {
    assertThat(generate("tiny-sdxl", null).string("size", "")).isEqualTo("64x64");
    assertThat(generate("tiny-sdxl", "auto").string("size", "")).isEqualTo("64x64");
    JsonValue.Obj wide = generate("tiny-sdxl", "1536x1024");
    assertThat(wide.string("size", "")).isEqualTo("80x56");
    assertThat(warnings(wide)).anyMatch(w -> w.startsWith("size 1536x1024 was made at 80x56"));
    assertThat(generate("tiny-sdxl", "1024x1536").string("size", "")).isEqualTo("56x80");
    JsonValue.Obj square = generate("tiny-sdxl", "1024x1024");
    assertThat(square.string("size", "")).isEqualTo("64x64");
    assertThat(warnings(square)).anyMatch(w -> w.startsWith("size 1024x1024 was made at 64x64"));
    assertThat(TINY_SDXL.buckets())
        .containsExactly(
            new ImageSize(64, 64),
            new ImageSize(72, 56),
            new ImageSize(80, 56),
            new ImageSize(88, 48),
            new ImageSize(56, 72),
            new ImageSize(56, 80),
            new ImageSize(48, 88));
    assertThat(SDXL.buckets())
        .containsExactly(
            new ImageSize(1024, 1024),
            new ImageSize(1152, 896),
            new ImageSize(1216, 832),
            new ImageSize(1344, 768),
            new ImageSize(896, 1152),
            new ImageSize(832, 1216),
            new ImageSize(768, 1344));
  }

  @Test
  void sizesTheUserChoseOtherwisePassThroughUnchanged() throws Exception {
    JsonValue.Obj bucket = generate("sdxl", "1344x768");
    assertThat(bucket.string("size", "")).isEqualTo("1344x768");
    JsonValue.Obj odd = generate("sdxl", "1200x800");
    assertThat(odd.string("size", "")).isEqualTo("1200x800");
    assertThat(warnings(odd)).noneMatch(w -> w.startsWith("size "));
    assertThat(generate("tiny-sdxl", "96x64").string("size", "")).isEqualTo("96x64");
  }

  @Test
  void prompt2ReachesAnSdxlModelAndIsRefusedNamingItselfElsewhere() throws Exception {
    JsonValue.Obj ok =
        post(
            "/v1/images/generations",
            "{\"prompt\":\"a cup\",\"steps\":1,\"model\":\"sdxl\",\"prompt_2\":\"a mug\"}");
    assertThat(ok.array("data")).hasSize(1);
    synchronized (sdxl.prompts) {
      assertThat(sdxl.generations.getLast().sampling().prompt2()).isEqualTo("a mug");
    }
    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/images/generations"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"prompt\":\"a cup\",\"model\":\"sd15\",\"prompt_2\":\"a mug\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(400);
    JsonValue.Obj error = Json.parse(refused.body()).asObject().object("error").orElseThrow();
    assertThat(error.string("param", "")).isEqualTo("prompt_2");
    assertThat(error.string("message", "")).contains("not SDXL (family sd)");
  }

  @Test
  void sd15KeepsOpenAiSizesAsSentAndItsOwnNativeSquare() throws Exception {
    JsonValue.Obj wide = generate("sd15", "1536x1024");
    assertThat(wide.string("size", "")).isEqualTo("1536x1024");
    assertThat(warnings(wide)).noneMatch(w -> w.startsWith("size "));
    assertThat(generate("sd15", "auto").string("size", "")).isEqualTo("512x512");
  }

  @Test
  void fewStepModelsDefaultToGuidanceZeroAndFewSteps() throws Exception {
    post("/v1/images/generations", "{\"prompt\":\"a cup\",\"model\":\"sdxl-turbo\"}");
    GenerationRequest medium = turbo.generations.getLast();
    assertThat(medium.sampling().steps()).isEqualTo(2);
    assertThat(medium.sampling().guidanceScale()).isZero();
    post(
        "/v1/images/generations",
        "{\"prompt\":\"a cup\",\"model\":\"sdxl-turbo\",\"quality\":\"low\"}");
    assertThat(turbo.generations.getLast().sampling().steps()).isEqualTo(1);
    post(
        "/v1/images/generations",
        "{\"prompt\":\"a cup\",\"model\":\"sdxl-turbo\",\"quality\":\"high\"}");
    assertThat(turbo.generations.getLast().sampling().steps()).isEqualTo(4);
    post(
        "/v1/images/generations",
        "{\"prompt\":\"a cup\",\"model\":\"sdxl-turbo\",\"steps\":3,\"guidance\":1.5}");
    assertThat(turbo.generations.getLast().sampling().steps()).isEqualTo(3);
    assertThat(turbo.generations.getLast().sampling().guidanceScale()).isEqualTo(1.5);

    post("/v1/images/generations", "{\"prompt\":\"a cup\",\"model\":\"tiny-sdxl\"}");
    assertThat(tinySdxl.generations.getLast().sampling().steps()).isEqualTo(20);
    assertThat(tinySdxl.generations.getLast().sampling().guidanceScale()).isEqualTo(7.5);
  }

  @Test
  void maskedEditsGoToAnInpaintingModelOfTheSameFamilyOnly() throws Exception {
    String input = LocalEditApiTest.b64(LocalEditApiTest.noise(64, 48, 9));
    String mask = LocalEditApiTest.columnMask(64, 48, 10, 30);
    String body =
        "{\"prompt\":\"a sofa\",\"image\":\"" + input + "\",\"mask\":\"" + mask + "\",\"seed\":1";
    post("/v1/images/edits", body + ",\"model\":\"tiny-sdxl\"}");
    assertThat(sdxlInpaint.calls.get()).isEqualTo(1);
    assertThat(sdInpaint.calls.get()).isZero();
    assertThat(tinySdxl.calls.get()).isZero();

    post("/v1/images/edits", body + ",\"model\":\"sd15\"}");
    assertThat(sdInpaint.calls.get()).isEqualTo(1);
    assertThat(sdxlInpaint.calls.get()).isEqualTo(1);
    assertThat(models.inpaintingFor(models.find("sdxl").orElseThrow()).orElseThrow().id())
        .isEqualTo("sdxl-inpaint");
  }

  @Test
  void withoutAnInpaintingModelOfItsFamilyAModelInpaintsByItself() {
    try (ModelSet onlySd =
        ModelSet.builder()
            .add("sdxl", ModelSet.Kind.TEXT_TO_IMAGE, SDXL, sdxl)
            .add("sd15-inpaint", ModelSet.Kind.INPAINTING, SD15, sdInpaint)
            .build()) {
      assertThat(onlySd.inpaintingFor(onlySd.find("sdxl").orElseThrow())).isEmpty();
    }
  }
}
