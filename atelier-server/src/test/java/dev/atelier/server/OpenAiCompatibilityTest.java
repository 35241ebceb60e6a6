package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.images.ImageCreateVariationParams;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.http.Endpoint;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/openai-compatibility.md true: reads its tables, checks that they list exactly the
 * fields each route takes, and runs one check per row (the official openai-java client where it has
 * the field, plain HTTP for Atelier's extensions).
 */
class OpenAiCompatibilityTest {
  static final Path DOC = Path.of("..", "docs", "openai-compatibility.md");

  @TempDir static Path dir;
  static ServerFixture f;
  static OpenAIClient sdk;
  static String image64;
  static String greyMask64;

  record Row(String table, String route, String field, String status) {
    String key() {
      return route + " " + field;
    }
  }

  @FunctionalInterface
  interface Check {
    void run(String route) throws Exception;
  }

  @BeforeAll
  static void start() throws Exception {
    f = new ServerFixture(dir);
    sdk =
        OpenAIOkHttpClient.builder()
            .apiKey("sk-local")
            .baseUrl(f.base() + "/v1")
            .maxRetries(0)
            .build();
    image64 = dataUrl(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x405060)));
    java.awt.image.BufferedImage grey =
        new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 32; x++) {
        grey.getRaster().setSample(x, y, 0, 255);
      }
    }
    greyMask64 = dataUrl(ImagesApiTest.png(grey));
  }

  @AfterAll
  static void stop() {
    sdk.close();
    f.close();
  }

  static String dataUrl(byte[] png) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }

  static List<Row> rows() throws Exception {
    List<Row> rows = new ArrayList<>();
    String table = "";
    for (String line : Files.readAllLines(DOC)) {
      if (line.startsWith("## ")) {
        table = line.substring(3).trim();
      }
      if (!line.startsWith("| ") || line.startsWith("| route") || line.startsWith("|---")) {
        continue;
      }
      String[] cells = line.split("\\|");
      rows.add(new Row(table, cells[1].trim(), cells[2].trim(), cells[3].trim()));
    }
    return rows;
  }

  @Test
  void theTableListsExactlyTheFieldsEachRouteTakes() throws Exception {
    Map<String, Endpoint> routes =
        Map.of(
            "generations", Endpoint.GENERATIONS,
            "edits", Endpoint.EDITS,
            "variations", Endpoint.VARIATIONS);
    for (var e : routes.entrySet()) {
      Set<String> documented = new LinkedHashSet<>();
      for (Row r : rows()) {
        if (r.table().equals("Requests")
            && r.route().equals(e.getKey())
            && !r.status().equals("refused")) {
          documented.add(r.field());
        }
      }
      assertThat(documented)
          .as(e.getKey())
          .containsExactlyInAnyOrderElementsOf(e.getValue().fields());
      for (String field : e.getValue().openAiFields()) {
        assertThat(rows())
            .as("OpenAI's field %s on %s is honoured, refused or differs", field, e.getKey())
            .anyMatch(
                r ->
                    r.route().equals(e.getKey())
                        && r.field().equals(field)
                        && List.of("honoured", "refused", "differs").contains(r.status()));
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyRowHasAPassingCheck() throws Exception {
    Map<String, Check> checks = checks();
    return rows().stream()
        .map(
            r ->
                DynamicTest.dynamicTest(
                    r.key() + " (" + r.status() + ")",
                    () -> {
                      Check c = checks.getOrDefault(r.key(), checks.get("* " + r.field()));
                      assertThat(c).as("a check for the row '%s'", r.key()).isNotNull();
                      c.run(r.route());
                    }));
  }

  // ---- requests, by route ----

  static String base(String route) {
    return switch (route) {
      case "generations" -> "{\"prompt\":\"a white ceramic cup\"";
      case "edits" -> "{\"prompt\":\"make it warmer\",\"image\":\"" + image64 + "\"";
      case "variations" -> "{\"image\":\"" + image64 + "\"";
      default -> "{";
    };
  }

  static String body(String route, String extra) {
    String b = base(route);
    return extra.isEmpty() ? b + "}" : (b.equals("{") ? b : b + ",") + extra + "}";
  }

  static JsonValue.Obj ok(String route, String extra) throws Exception {
    ServerFixture.Reply r = f.post("/v1/images/" + route, body(route, extra));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static void bad(String route, String extra, String param, String messagePart) throws Exception {
    int blobs = f.metadata.referencedBlobs().size();
    ServerFixture.Reply r = f.post("/v1/images/" + route, body(route, extra));
    assertThat(r.status()).as(r.body()).isBetween(400, 499);
    JsonValue.Obj err = r.json().object("error").orElseThrow();
    assertThat(err.string("param", "")).as(r.body()).isEqualTo(param);
    assertThat(err.string("message", "")).contains(messagePart);
    assertThat(f.metadata.referencedBlobs()).as("nothing stored").hasSize(blobs);
  }

  static JsonValue.Obj first(JsonValue.Obj response) {
    return (JsonValue.Obj) response.array("data").get(0);
  }

  static JsonValue.Obj provenance(JsonValue.Obj response) throws Exception {
    String id = first(response).string("id", "");
    return f.get("/v1/images/" + id).json().object("provenance").orElseThrow();
  }

  static String event(String route) {
    return route.equals("generations") ? "image_generation" : "image_edit";
  }

  private static java.net.http.HttpResponse<String> send(
      String route, String body, String... headers) throws Exception {
    java.net.http.HttpRequest.Builder b =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(f.base() + "/v1/images/" + route))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return java.net.http.HttpClient.newHttpClient()
        .send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /** Job {@code id} once it has ended (10 s at most). */
  private static JsonValue.Obj awaitJob(String id) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      JsonValue.Obj job = f.get("/v1/jobs/" + id).json();
      String status = job.string("status", "");
      if (List.of("completed", "failed", "cancelled").contains(status)
          || System.nanoTime() > deadline) {
        return job;
      }
      Thread.sleep(10);
    }
  }

  static Map<String, Check> checks() {
    Map<String, Check> c = new HashMap<>();
    c.put(
        "generations Prefer",
        route -> {
          java.net.http.HttpResponse<String> r =
              send(route, "{\"prompt\":\"a cup\",\"seed\":3}", "Prefer", "respond-async");
          assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
          JsonValue.Obj job = Json.parse(r.body()).asObject();
          assertThat(job.string("object", "")).isEqualTo("image.job");
          String id = job.string("id", "");
          assertThat(r.headers().firstValue("Location")).contains("/v1/jobs/" + id);
          JsonValue.Obj done = awaitJob(id);
          assertThat(done.string("status", "")).isEqualTo("completed");
          assertThat(done.object("result").orElseThrow().array("data")).hasSize(1);
        });
    c.put(
        "generations Idempotency-Key",
        route -> {
          String key = java.util.UUID.randomUUID().toString();
          java.net.http.HttpResponse<String> first =
              send(
                  route,
                  "{\"prompt\":\"a cup\"}",
                  "Idempotency-Key",
                  key,
                  "Prefer",
                  "respond-async");
          java.net.http.HttpResponse<String> again =
              send(
                  route,
                  "{\"prompt\":\"a cup\"}",
                  "Idempotency-Key",
                  key,
                  "Prefer",
                  "respond-async");
          assertThat(Json.parse(again.body()).asObject().string("id", "x"))
              .isEqualTo(Json.parse(first.body()).asObject().string("id", "y"));
          java.net.http.HttpResponse<String> other =
              send(route, "{\"prompt\":\"a bowl\"}", "Idempotency-Key", key);
          assertThat(other.statusCode()).isEqualTo(409);
          assertThat(Json.parse(other.body()).asObject().object("error").orElseThrow())
              .satisfies(e -> assertThat(e.string("param", "")).isEqualTo("Idempotency-Key"));
          awaitJob(Json.parse(first.body()).asObject().string("id", ""));
        });
    c.put(
        "generations Retry-After",
        route -> {
          // Hold the single worker, fill the queue: the next request is a 429 with Retry-After.
          java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
          f.engine.gate = gate;
          List<String> queued = new ArrayList<>();
          try {
            java.net.http.HttpResponse<String> r;
            do {
              r = send(route, "{\"prompt\":\"a cup\"}", "Prefer", "respond-async");
              if (r.statusCode() == 202) {
                queued.add(Json.parse(r.body()).asObject().string("id", ""));
              }
            } while (r.statusCode() == 202 && queued.size() < 100);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L))
                .isPositive();
            for (String id : queued) {
              f.post("/v1/jobs/" + id + "/cancel", "");
            }
          } finally {
            f.engine.gate = null;
            gate.countDown();
          }
          for (String id : queued) {
            awaitJob(id);
          }
        });
    c.put(
        "* prompt",
        route -> {
          if (route.equals("variations")) {
            ok(route, "\"prompt\":\"a red cup\"");
            assertThat(f.engine.prompts).last().isEqualTo("a red cup");
            bad(route, "\"prompt\":\"\"", "prompt", "prompt must not be empty");
            bad(route, "\"prompt\":\"a\\u0000\"", "prompt", "must not contain NUL");
            return;
          }
          String image = route.equals("edits") ? ",\"image\":\"" + image64 + "\"" : "";
          ServerFixture.Reply zh =
              f.post("/v1/images/" + route, "{\"prompt\":\"把沙发颜色改为深宝石绿\"" + image + "}");
          assertThat(zh.status()).as(zh.body()).isEqualTo(200);
          ServerFixture.Reply empty =
              f.post("/v1/images/" + route, "{\"prompt\":\"\"" + image + "}");
          assertThat(empty.status()).isEqualTo(400);
          assertThat(empty.body()).contains("prompt must not be empty");
          ServerFixture.Reply nul =
              f.post("/v1/images/" + route, "{\"prompt\":\"a\\u0000cup\"" + image + "}");
          assertThat(nul.status()).isEqualTo(400);
          assertThat(nul.body()).contains("prompt must not contain NUL characters");
          ServerFixture.Reply twice =
              f.post("/v1/images/" + route, "{\"prompt\":\"a\",\"prompt\":\"b\"" + image + "}");
          assertThat(twice.status()).isEqualTo(400);
          assertThat(twice.body()).contains("member 'prompt' appears twice");
        });
    c.put(
        "* model",
        route -> {
          assertThat(ok(route, "\"model\":\"gpt-image-2\"").string("model", ""))
              .isEqualTo("fake-model");
          ok(route, "\"model\":\"dall-e-3\"");
          ok(route, "\"model\":\"fake-model\"");
          bad(route, "\"model\":\"sdxl\"", "model", "model must be 'fake-model'");
        });
    c.put(
        "generations model",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .generate(
                      ImageGenerateParams.builder()
                          .prompt("a cup")
                          .model("chatgpt-image-latest")
                          .build());
          assertThat(r._additionalProperties().get("model").toString()).contains("fake-model");
          assertThatThrownBy(
                  () ->
                      sdk.images()
                          .generate(
                              ImageGenerateParams.builder().prompt("a cup").model("flux").build()))
              .isInstanceOf(BadRequestException.class)
              .hasMessageContaining("model must be 'fake-model'");
        });
    c.put(
        "* n",
        route -> {
          assertThat(ok(route, "\"n\":10").array("data")).hasSize(10);
          bad(route, "\"n\":\"2\"", "n", "n must be an integer 1..10 but was \"2\"");
          bad(route, "\"n\":11", "n", "n must be an integer 1..10 but was 11");
        });
    c.put(
        "generations n",
        route -> {
          ImagesResponse r =
              sdk.images().generate(ImageGenerateParams.builder().prompt("a cup").n(10).build());
          assertThat(r.data().orElseThrow()).hasSize(10);
          bad(route, "\"n\":\"2\"", "n", "n must be an integer 1..10 but was \"2\"");
        });
    c.put(
        "* size",
        route -> {
          JsonValue.Obj r = ok(route, "\"size\":\"128x96\"");
          assertThat(r.string("size", "")).isEqualTo("128x96");
          bad(route, "\"size\":\"65x64\"", "size", "multiples of 8");
        });
    c.put(
        "edits size",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .edit(
                      ImageEditParams.builder()
                          .image(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x102030)))
                          .prompt("make it warmer")
                          .size(ImageEditParams.Size._1024X1024)
                          .build());
          assertThat(
                  ImagesApiTest.decode(r.data().orElseThrow().get(0).b64Json().orElseThrow())
                      .width())
              .isEqualTo(1024);
          bad(route, "\"size\":\"65x64\"", "size", "multiples of 8");
        });
    c.put(
        "* quality",
        route -> {
          JsonValue.Obj r = ok(route, "\"quality\":\"high\"");
          assertThat(r.string("quality", "")).isEqualTo("high");
          assertThat(provenance(r).string("steps", "")).isEqualTo("30");
          bad(route, "\"quality\":\"ultra\"", "quality", "quality must be one of");
        });
    c.put(
        "* background",
        route -> {
          assertThat(ok(route, "\"background\":\"opaque\"").string("background", ""))
              .isEqualTo("opaque");
          bad(route, "\"background\":\"transparent\"", "background", "transparent");
        });
    c.put(
        "* moderation",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .generate(
                      ImageGenerateParams.builder()
                          .prompt("a cup")
                          .moderation(ImageGenerateParams.Moderation.LOW)
                          .build());
          String id = r.data().orElseThrow().get(0)._additionalProperties().get("id").toString();
          assertThat(f.get("/v1/images/" + id.replace("\"", "")).body())
              .contains("\"moderation\":\"low\"");
          bad(route, "\"moderation\":\"bogus\"", "moderation", "moderation must be one of");
        });
    c.put(
        "* output_format",
        route -> {
          assertThat(ok(route, "\"output_format\":\"jpeg\"").string("output_format", ""))
              .isEqualTo("jpeg");
          assertThat(ok(route, "\"output_format\":\"webp\"").string("output_format", ""))
              .isEqualTo("webp");
          bad(route, "\"output_format\":\"gif\"", "output_format", "output_format must be one of");
        });
    c.put(
        "* output_compression",
        route -> {
          String low =
              first(ok(route, "\"output_format\":\"jpeg\",\"output_compression\":5"))
                  .string("b64_json", "");
          String high =
              first(ok(route, "\"output_format\":\"jpeg\",\"output_compression\":95"))
                  .string("b64_json", "");
          assertThat(low.length()).isLessThan(high.length());
          bad(route, "\"output_compression\":101", "output_compression", "0..100");
        });
    c.put(
        "* partial_images",
        route -> {
          ServerFixture.Reply r =
              f.post(
                  "/v1/images/" + route,
                  body(route, "\"stream\":true,\"partial_images\":1,\"steps\":4"));
          assertThat(r.body()).contains("event: " + event(route) + ".partial_image");
          bad(
              route,
              "\"partial_images\":4",
              "partial_images",
              "partial_images must be an integer 0..3");
        });
    c.put(
        "* stream",
        route -> {
          ServerFixture.Reply r = f.post("/v1/images/" + route, body(route, "\"stream\":true"));
          assertThat(r.body()).contains("event: " + event(route) + ".completed");
          bad(route, "\"stream\":\"true\"", "stream", "stream must be true or false");
        });
    c.put(
        "* response_format",
        route -> {
          String url = first(ok(route, "\"response_format\":\"url\"")).string("url", "");
          assertThat(f.bytes(url)).isNotEmpty();
          bad(route, "\"response_format\":\"xml\"", "response_format", "response_format must be");
        });
    c.put(
        "* user",
        route -> {
          assertThat(provenance(ok(route, "\"user\":\"alice-42\"")).string("user", ""))
              .isEqualTo("alice-42");
          bad(route, "\"user\":\"" + "u".repeat(300) + "\"", "user", "at most 256 characters");
        });
    c.put(
        "generations style",
        route -> bad(route, "\"style\":\"vivid\"", "style", "describe the style in the prompt"));
    c.put(
        "* seed",
        route -> {
          // Pixels, not bytes: the PNG's provenance holds each call's elapsed_ms.
          var a = ImagesApiTest.decode(first(ok(route, "\"seed\":7")).string("b64_json", ""));
          var b = ImagesApiTest.decode(first(ok(route, "\"seed\":7")).string("b64_json", ""));
          assertThat(a.rgb()).isEqualTo(b.rgb());
          assertThat(first(ok(route, "\"seed\":7")).number("seed", -1)).isEqualTo(7);
          bad(route, "\"seed\":-1", "seed", "seed must be an integer 0..2^53-1");
        });
    c.put(
        "* prompt_2",
        // This server's model is not SDXL: refused, never ignored (SdxlSizesApiTest: accepted and
        // passed on by an SDXL model).
        route -> bad(route, "\"prompt_2\":\"a porcelain mug\"", "prompt_2", "is not SDXL"));
    c.put(
        "* negative_prompt",
        route -> {
          assertThat(
                  provenance(ok(route, "\"negative_prompt\":\"blurry\""))
                      .string("negative_prompt", ""))
              .isEqualTo("blurry");
          bad(route, "\"negative_prompt\":5", "negative_prompt", "must be a string");
        });
    c.put(
        "* steps",
        route -> {
          assertThat(provenance(ok(route, "\"steps\":3")).string("steps", "")).isEqualTo("3");
          bad(route, "\"steps\":0", "steps", "steps must be an integer 1..500");
        });
    c.put(
        "* scheduler",
        route -> {
          assertThat(provenance(ok(route, "\"scheduler\":\"euler\"")).string("scheduler", ""))
              .isEqualTo("euler");
          bad(route, "\"scheduler\":5", "scheduler", "must be a string");
        });
    c.put(
        "* guidance",
        route -> {
          assertThat(provenance(ok(route, "\"guidance\":3")).string("guidance", ""))
              .isEqualTo("3.0");
          bad(route, "\"guidance\":60", "guidance", "guidance must be 0..50");
        });
    c.put(
        "* noise",
        route -> {
          ok(route, "\"noise\":\"batch\",\"n\":2");
          bad(route, "\"noise\":\"x\"", "noise", "noise must be one of");
        });
    c.put(
        "generations consistency",
        route -> {
          assertThat(ok(route, "\"consistency\":\"set\",\"n\":2").string("consistency", ""))
              .isEqualTo("set");
          bad(route, "\"consistency\":\"x\"", "consistency", "consistency must be one of");
        });
    c.put(
        "generations prompts",
        route -> {
          assertThat(ok(route, "\"prompts\":[\"a fox\",\"a hare\"],\"n\":2").array("data"))
              .hasSize(2);
          bad(route, "\"prompts\":[]", "prompts", "prompts must hold 1..10 prompts");
        });
    c.put(
        "generations character",
        route -> {
          ok(route, "\"character\":{\"hair\":\"short red hair\"},\"n\":2,\"consistency\":\"set\"");
          bad(route, "\"character\":\"x\"", "character", "character must be an object");
        });
    c.put(
        "* references",
        route -> {
          ok(route, "\"references\":[{\"image\":\"" + image64 + "\",\"role\":\"style\"}]");
          bad(route, "\"references\":[{\"role\":\"style\"}]", "references[0].image", "required");
        });
    c.put(
        "* reference_images",
        route -> {
          ok(route, "\"reference_images\":[\"" + image64 + "\"]");
          bad(route, "\"reference_images\":\"x\"", "reference_images", "must be a list");
        });
    c.put(
        "edits image",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .edit(
                      ImageEditParams.builder()
                          .image(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x102030)))
                          .prompt("make it warmer")
                          .build());
          assertThat(r.data().orElseThrow()).hasSize(1);
          bad(
              route,
              "\"images\":[{\"file_id\":\"file-abc123\"}]",
              "images",
              "Atelier has no Files API");
          bad(
              route,
              "\"images\":[\"" + image64 + "\",\"" + image64 + "\"]",
              "image",
              "images but this edit changes exactly one");
        });
    c.put(
        "edits image[]",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .edit(
                      ImageEditParams.builder()
                          .image(
                              ImageEditParams.Image.ofInputStreams(
                                  List.of(
                                      new java.io.ByteArrayInputStream(
                                          ImagesApiTest.png(
                                              ImagesApiTest.solid(64, 64, 0x102030))))))
                          .prompt("make it warmer")
                          .build());
          assertThat(r.data().orElseThrow()).hasSize(1);
        });
    c.put(
        "edits images",
        route -> {
          JsonValue.Obj r =
              f.post(
                      "/v1/images/edits",
                      "{\"prompt\":\"make it warmer\",\"images\":[{\"image_url\":\""
                          + image64
                          + "\"}]}")
                  .json();
          assertThat(r.array("data")).hasSize(1);
          bad(route, "\"images\":5", "images", "images must be");
        });
    c.put(
        "edits mask",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .edit(
                      ImageEditParams.builder()
                          .image(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x808080)))
                          .mask(ImagesApiTest.png(ImagesApiTest.leftHalfMask(64, 64)))
                          .prompt("change the left half to green")
                          .build());
          var out = ImagesApiTest.decode(r.data().orElseThrow().get(0).b64Json().orElseThrow());
          assertThat(out.rgbAt(40, 10)).isEqualTo(0x808080);
          // A mask defines the region: no "no target recognised" warning.
          assertThat(r._additionalProperties()).doesNotContainKey("warnings");
          bad(
              route,
              "\"mask\":\"" + dataUrl(ImagesApiTest.png(ImagesApiTest.leftHalfMask(32, 32))) + "\"",
              "mask",
              "mask must have the image's size");
        });
    c.put(
        "edits input_fidelity",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .edit(
                      ImageEditParams.builder()
                          .image(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x102030)))
                          .prompt("make it warmer")
                          .inputFidelity(ImageEditParams.InputFidelity.HIGH)
                          .build());
          assertThat(r.data().orElseThrow()).hasSize(1);
          bad(route, "\"input_fidelity\":\"medium\"", "input_fidelity", "must be one of high, low");
        });
    c.put(
        "* strength",
        route -> {
          ok(route, "\"strength\":0.5");
          bad(route, "\"strength\":2", "strength", "strength must be in (0, 1]");
        });
    c.put(
        "edits instruct",
        route -> {
          assertThat(provenance(ok(route, "\"instruct\":true")).string("mode", ""))
              .isEqualTo("instruct-pix2pix");
          bad(route, "\"instruct\":\"yes\"", "instruct", "instruct must be true or false");
        });
    c.put(
        "edits image_guidance",
        route -> {
          ok(route, "\"instruct\":true,\"image_guidance\":2");
          bad(route, "\"instruct\":true,\"image_guidance\":\"x\"", "image_guidance", "a number");
        });
    c.put(
        "edits mask_mode",
        route -> {
          ok(route, "\"mask\":\"" + greyMask64 + "\",\"mask_mode\":\"white\"");
          bad(route, "\"mask_mode\":\"x\"", "mask_mode", "mask_mode must be one of");
        });
    c.put(
        "edits session",
        route -> {
          String id =
              f.post("/v1/sessions", "{\"prompt\":\"a living room\"}").json().string("id", "");
          JsonValue.Obj r =
              f.post(
                      "/v1/images/edits",
                      "{\"prompt\":\"make it warmer\",\"session\":\"" + id + "\"}")
                  .json();
          assertThat(r.object("round").orElseThrow().string("instruction", ""))
              .isEqualTo("make it warmer");
          bad(route, "\"session\":\"ses_nope\"", "session", "no session");
        });
    c.put(
        "edits dry_run",
        route -> {
          int blobs = f.metadata.referencedBlobs().size();
          JsonValue.Obj r =
              ok(route, "\"mask\":\"" + greyMask64 + "\",\"mask_mode\":\"white\",\"dry_run\":true");
          assertThat(r.has("plan")).isTrue();
          assertThat(f.metadata.referencedBlobs()).hasSize(blobs);
          bad(route, "\"dry_run\":true", "dry_run", "dry_run previews the region");
        });
    c.put(
        "edits grounding_threshold",
        route -> {
          ok(
              route,
              "\"mask\":\""
                  + greyMask64
                  + "\",\"mask_mode\":\"white\",\"grounding_threshold\":0.5");
          bad(route, "\"grounding_threshold\":2", "grounding_threshold", "must be in (0, 1)");
        });
    c.put(
        "variations image",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .createVariation(
                      ImageCreateVariationParams.builder()
                          .image(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x102030)))
                          .n(2)
                          .build());
          assertThat(r.data().orElseThrow()).hasSize(2);
          bad(route, "\"mask\":\"" + greyMask64 + "\"", "mask", "variations take no mask");
        });
    c.put(
        "variations image[]",
        route -> {
          assertThat(multipart("/v1/images/variations", "image[]", 1).statusCode()).isEqualTo(200);
          HttpResponse<String> two = multipart("/v1/images/variations", "image[]", 2);
          assertThat(two.statusCode()).isEqualTo(400);
          assertThat(two.body()).contains("variations take exactly one image but 2 were sent");
        });
    c.put(
        "variations n",
        route -> {
          ImagesResponse r =
              sdk.images()
                  .createVariation(
                      ImageCreateVariationParams.builder()
                          .image(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x102030)))
                          .n(3)
                          .build());
          assertThat(r.data().orElseThrow()).hasSize(3);
          bad(route, "\"n\":11", "n", "n must be an integer 1..10");
        });

    // ---- responses ----
    c.put(
        "images created",
        route -> {
          long now = System.currentTimeMillis() / 1000;
          assertThat(ok("generations", "").number("created", 0)).isBetween(now - 60.0, now + 60.0);
        });
    c.put(
        "images data", route -> assertThat(ok("generations", "\"n\":3").array("data")).hasSize(3));
    c.put(
        "images data[].b64_json",
        route ->
            assertThat(
                    ImagesApiTest.decode(first(ok("generations", "")).string("b64_json", ""))
                        .width())
                .isEqualTo(64));
    c.put("images data[].url", route -> c.get("* response_format").run("generations"));
    c.put(
        "images data[].revised_prompt",
        route -> assertThat(first(ok("generations", "")).has("revised_prompt")).isFalse());
    c.put(
        "images background",
        route -> assertThat(ok("generations", "").string("background", "")).isEqualTo("opaque"));
    c.put(
        "images output_format",
        route -> assertThat(ok("generations", "").string("output_format", "")).isEqualTo("png"));
    c.put(
        "images quality",
        route -> assertThat(ok("generations", "").string("quality", "")).isEqualTo("medium"));
    c.put(
        "images size",
        route -> assertThat(ok("generations", "").string("size", "")).isEqualTo("64x64"));
    c.put(
        "images usage",
        route -> {
          // The fake engine counts one token per word; 64x64 at medium: 2 rows * (2 + 1) patches.
          JsonValue.Obj u = ok("generations", "\"n\":2").object("usage").orElseThrow();
          assertThat(u.object("input_tokens_details").orElseThrow().number("text_tokens", -1))
              .isEqualTo(4);
          assertThat(u.number("output_tokens", -1)).isEqualTo(12);
          assertThat(u.number("total_tokens", -1)).isEqualTo(16);
          JsonValue.Obj e = ok("edits", "").object("usage").orElseThrow();
          assertThat(e.object("input_tokens_details").orElseThrow().number("image_tokens", -1))
              .isEqualTo(85 + 170);
        });
    c.put(
        "images model",
        route -> assertThat(ok("generations", "").string("model", "")).isEqualTo("fake-model"));
    c.put(
        "images data[].id",
        route -> {
          String id = first(ok("generations", "")).string("id", "");
          assertThat(f.get("/v1/images/" + id).status()).isEqualTo(200);
        });
    c.put(
        "images data[].seed",
        route ->
            assertThat(first(ok("generations", "\"seed\":11")).number("seed", -1)).isEqualTo(11));
    c.put(
        "images warnings",
        route ->
            assertThat(ok("edits", "\"size\":\"128x64\"").array("warnings").toString())
                .contains("centre-cropped"));
    return c;
  }

  static HttpResponse<String> multipart(String path, String partName, int parts) throws Exception {
    String boundary = "----atelier" + System.nanoTime();
    var out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < parts; i++) {
      out.write(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\""
                  + partName
                  + "\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.write(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x102030)));
      out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    out.write(("--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return f.http.send(
        HttpRequest.newBuilder(URI.create(f.base() + path))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  // ---- routes and methods ----

  @Test
  void aWrongMethodOnAKnownRouteIsA405InOpenAisShape() throws Exception {
    for (String route : List.of("generations", "edits", "variations")) {
      ServerFixture.Reply r = f.get("/v1/images/" + route);
      assertThat(r.status()).as(route).isEqualTo(405);
      assertThat(r.json().object("error").orElseThrow().string("code", ""))
          .isEqualTo("method_not_allowed");
    }
    ServerFixture.Reply r = f.delete("/v1/images/generations");
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.json().object("error").orElseThrow().string("type", ""))
        .isEqualTo("invalid_request_error");
  }

  @Test
  void aWrongMethodIsA405InOpenAisShapeAlsoWhenTheClientAcceptsJson() throws Exception {
    HttpResponse<String> r =
        f.http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/images/generations"))
                .header("Accept", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertThat(r.body()).contains("\"code\":\"method_not_allowed\"").doesNotContain("title");
    HttpResponse<String> missing =
        f.http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/nothing/here"))
                .header("Accept", "application/json")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("\"type\":\"invalid_request_error\"");
  }

  @Test
  void sessionEditsRefuseWhatARoundCannotHonour() throws Exception {
    String id =
        f.post("/v1/sessions", "{\"prompt\":\"a living room\",\"steps\":7}")
            .json()
            .string("id", "");
    int rounds = f.get("/v1/sessions/" + id).json().array("rounds").size();
    for (String[] c :
        new String[][] {
          {"\"n\":3", "n", "n must be 1 with session"},
          {"\"output_format\":\"jpeg\"", "output_format", "must be png"},
          {"\"dry_run\":true", "dry_run", "a session edit is a round"}
        }) {
      ServerFixture.Reply r =
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"make it warmer\",\"session\":\"" + id + "\"," + c[0] + "}");
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.json().object("error").orElseThrow().string("param", "")).isEqualTo(c[1]);
      assertThat(r.body()).contains(c[2]);
    }
    ServerFixture.Reply round =
        f.post(
            "/v1/sessions/" + id + "/rounds", "{\"instruction\":\"x\",\"output_format\":\"jpeg\"}");
    assertThat(round.status()).isEqualTo(400);
    assertThat(round.json().object("error").orElseThrow().string("code", ""))
        .isEqualTo("unknown_parameter");
    HttpResponse<String> withImage = multipart("/v1/sessions/" + id + "/rounds", "image", 1);
    assertThat(withImage.statusCode()).isEqualTo(400);
    assertThat(withImage.body()).contains("takes no image");
    ServerFixture.Reply restart =
        f.post("/v1/sessions/" + id + "/restart", "{\"size\":\"128x128\",\"dry_run\":true}");
    assertThat(restart.status()).isEqualTo(400);
    assertThat(restart.json().object("error").orElseThrow().string("param", "")).isEqualTo("size");
    assertThat(f.get("/v1/sessions/" + id).json().array("rounds")).hasSize(rounds);
    ServerFixture.Reply fromImage =
        f.post(
            "/v1/sessions",
            "{\"image\":\"" + image64 + "\",\"references\":[{\"image\":\"" + image64 + "\"}]}");
    assertThat(fromImage.status()).isEqualTo(400);
    assertThat(fromImage.json().object("error").orElseThrow().string("param", ""))
        .isEqualTo("references");
    ServerFixture.Reply sized =
        f.post("/v1/sessions", "{\"image\":\"" + image64 + "\",\"size\":\"128x128\"}");
    assertThat(sized.status()).as(sized.body()).isEqualTo(201);
    String head = sized.json().string("current_image_id", "");
    assertThat(f.get("/v1/images/" + head).json().number("width", 0)).isEqualTo(128);
  }

  @Test
  void settingsOfAnotherEditModeAreRefusedNotIgnored() throws Exception {
    bad("edits", "\"image_guidance\":2", "image_guidance", "instruct: true edits only");
    String mask = ",\"mask\":\"" + greyMask64 + "\",\"mask_mode\":\"white\"";
    bad("edits", "\"strength\":0.5" + mask, "strength", "a mask was sent");
    bad("edits", "\"input_fidelity\":\"high\"" + mask, "input_fidelity", "a mask was sent");
  }

  @Test
  void aMultipartBodyOnAJsonRouteSaysWhichRoutesTakeMultipart() throws Exception {
    HttpResponse<String> r = multipart("/v1/images/generations", "image", 1);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body())
        .contains("takes a JSON body")
        .contains("multipart forms are taken by /v1/images/edits, /v1/images/variations");
  }

  @Test
  void unknownFieldsAreRefusedNamingThem() throws Exception {
    ServerFixture.Reply r =
        f.post("/v1/images/generations", "{\"prompt\":\"a cup\",\"colour\":\"red\"}");
    assertThat(r.status()).isEqualTo(400);
    JsonValue.Obj err = r.json().object("error").orElseThrow();
    assertThat(err.string("param", "")).isEqualTo("colour");
    assertThat(err.string("code", "")).isEqualTo("unknown_parameter");
    assertThat(err.string("message", "")).contains("unknown parameter 'colour'");
    assertThat(f.post("/v1/sessions", "{\"prompt\":\"a room\",\"stream\":true}").status())
        .isEqualTo(400);
    assertThat(f.post("/v1/edits/plan", "{\"instruction\":\"make it red\",\"x\":1}").status())
        .isEqualTo(400);
  }

  @Test
  void everyResponseCarriesARequestIdAndKeepsTheClients() throws Exception {
    HttpResponse<String> mine =
        f.http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/models"))
                .header("x-request-id", "client-trace-7")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(mine.headers().firstValue("x-request-id")).hasValue("client-trace-7");
    HttpResponse<String> hostile =
        f.http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/nope"))
                .header("x-request-id", "a b\tc")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(hostile.statusCode()).isEqualTo(404);
    assertThat(hostile.headers().firstValue("x-request-id").orElseThrow()).startsWith("req_");
  }
}
