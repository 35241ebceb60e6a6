package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.openai.OpenAiEngine;
import dev.atelier.engine.openai.UpstreamConfig;
import dev.atelier.server.images.PriceTable;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on the openai engine against a local fake upstream: usage summed over split calls,
 * sessions whose rounds keep every pixel outside the grounded region, spend per session, and the
 * upstream's refusals and failures answered without storing anything.
 */
class UpstreamEngineApiTest {
  private static final String KEY = "sk-test-0123456789abcdef";

  @TempDir Path dir;

  /** A server over the openai engine (no waiting between retries) and the fake grounder. */
  private final class Setup implements AutoCloseable {
    final FakeUpstream upstream = new FakeUpstream();
    final OpenAiEngine engine;
    final MetadataStore metadata = Stores.open(dir, "");
    final BlobStore blobs = Stores.blobs(dir);
    final AtelierServer server;
    final HttpClient http = HttpClient.newHttpClient();

    Setup(String model, int maxPerCall, int retries) throws Exception {
      engine =
          new OpenAiEngine(
              UpstreamConfig.builder(KEY)
                  .baseUrl(upstream.baseUrl())
                  .model(model)
                  .maxImagesPerCall(maxPerCall)
                  .maxRetries(retries)
                  .build(),
              d -> {},
              Clock.systemUTC(),
              new Random(1));
      server =
          AtelierServer.start(
              engine,
              new FakeGrounder(),
              metadata,
              blobs,
              new ServerConfig("127.0.0.1", 0, model, 64, Instant.now(), false)
                  .withEngine("openai", PriceTable.bundled()));
    }

    ServerFixture.Reply post(String path, String json) throws Exception {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base() + path))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(json))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return reply(r);
    }

    ServerFixture.Reply get(String path) throws Exception {
      return reply(
          http.send(
              HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
              HttpResponse.BodyHandlers.ofString()));
    }

    private ServerFixture.Reply reply(HttpResponse<String> r) {
      ServerFixture.assertStrictJson(r.body());
      JsonValue.Obj json =
          dev.atelier.core.json.Json.parse(r.body()) instanceof JsonValue.Obj o ? o : null;
      return new ServerFixture.Reply(r.statusCode(), r.body(), json);
    }

    RgbImage content(String imageId) throws Exception {
      byte[] png =
          http.send(
                  HttpRequest.newBuilder(URI.create(base() + "/v1/images/" + imageId + "/content"))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray())
              .body();
      return ImageCodec.decode(png, ImageLimits.DEFAULT);
    }

    String base() {
      return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
      server.close();
      engine.close();
      metadata.close();
      upstream.close();
    }
  }

  @Test
  void nAboveWhatTheUpstreamTakesIsSplitAndTheUsageSummed() throws Exception {
    try (Setup s = new Setup("gpt-image-2", 2, 0)) {
      ServerFixture.Reply r =
          s.post(
              "/v1/images/generations", "{\"prompt\":\"a red kite\",\"n\":3,\"size\":\"64x64\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().array("data")).hasSize(3);
      assertThat(s.upstream.requests).hasSize(2);
      assertThat(s.upstream.requests.get(0).text()).contains("\"n\":2");
      assertThat(s.upstream.requests.get(1).text()).contains("\"n\":1");
      JsonValue.Obj usage = r.json().object("usage").orElseThrow();
      assertThat(usage.integer("input_tokens", -1)).isEqualTo(100);
      assertThat(usage.integer("output_tokens", -1)).isEqualTo(200);
      assertThat(usage.integer("total_tokens", -1)).isEqualTo(300);
      assertThat(usage.object("input_tokens_details").orElseThrow().integer("text_tokens", -1))
          .isEqualTo(40);
      // Images of the second call have its colour, resized to the requested 64x64.
      RgbImage third = s.content(r.json().array("data").get(2).asObject().string("id", ""));
      assertThat(third.width()).isEqualTo(64);
      assertThat(third.rgbAt(10, 10)).isEqualTo(FakeUpstream.colour(1));
      ServerFixture.Reply models = s.get("/v1/models");
      assertThat(models.body()).contains("gpt-image-2").doesNotContain(KEY);
      assertThat(models.json().array("data").get(0).asObject().string("engine", ""))
          .isEqualTo("openai");
      assertThat(r.body()).doesNotContain(KEY);
      assertThat(s.upstream.requests.get(0).headers().get("Authorization"))
          .containsExactly("Bearer " + KEY);
    }
  }

  @Test
  void threeSessionRoundsChangeOnlyTheirRegionsAndTheSessionReportsItsSpend() throws Exception {
    try (Setup s = new Setup("gpt-image-1", 8, 0)) {
      BufferedImage input = LocalEditApiTest.noise(96, 64, 11);
      RgbImage round0 = RgbImage.from(input);
      ServerFixture.Reply created =
          s.post("/v1/sessions", "{\"image\":\"" + LocalEditApiTest.b64(input) + "\"}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String id = created.json().string("id", "");
      String[] instructions = {
        "change the sofa to deep emerald green, keep everything else strictly unchanged",
        "make the cup matte dark green",
        "将墙面改为米白色，其他保持不变"
      };
      RgbImage current = round0;
      for (int i = 0; i < instructions.length; i++) {
        ServerFixture.Reply r =
            s.post(
                "/v1/sessions/" + id + "/rounds", "{\"instruction\":\"" + instructions[i] + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        RgbImage next = s.content(r.json().object("round").orElseThrow().string("image_id", ""));
        double[] strip = FakeGrounder.STRIPS.get(i == 0 ? "sofa" : i == 1 ? "cup" : "wall");
        int x0 = (int) Math.round(strip[0] * 96);
        int x1 = (int) Math.round(strip[1] * 96);
        // Everything outside this round's strip is the previous round's, pixel for pixel.
        LocalEditApiTest.assertOnlyColumnsChanged(current, next, x0, x1);
        current = next;
      }
      // Never-edited columns still equal round 0 after three rounds.
      for (int y = 0; y < 64; y++) {
        for (int x = 48; x < 96; x++) {
          assertThat(current.rgbAt(x, y)).isEqualTo(round0.rgbAt(x, y));
        }
      }
      // Every round went to the upstream's edits endpoint with the grounded mask.
      assertThat(s.upstream.requests).hasSize(3);
      for (FakeUpstream.Recorded q : s.upstream.requests) {
        assertThat(q.path()).isEqualTo("/v1/images/edits");
        assertThat(q.text()).contains("name=\"mask\"", "name=\"image\"", "gpt-image-1");
      }
      JsonValue.Obj session = s.get("/v1/sessions/" + id).json();
      assertThat(session.object("usage").orElseThrow().integer("total_tokens", -1)).isEqualTo(450);
      // 3 x (20 text x $5 + 30 image x $10 + 100 output x $40) per million tokens.
      assertThat(session.number("cost_usd", -1)).isEqualTo(0.0132);
    }
  }

  @Test
  void aPlainWordsRoundWithAStyleReferenceSendsItAfterTheCropAndKeepsTheRest() throws Exception {
    try (Setup s = new Setup("gpt-image-2", 8, 0)) {
      BufferedImage input = LocalEditApiTest.noise(96, 64, 5);
      String id =
          s.post("/v1/sessions", "{\"image\":\"" + LocalEditApiTest.b64(input) + "\"}")
              .json()
              .string("id", "");
      String ref =
          "data:image/png;base64," + LocalEditApiTest.b64(LocalEditApiTest.noise(32, 32, 9));
      ServerFixture.Reply r =
          s.post(
              "/v1/sessions/" + id + "/rounds",
              "{\"instruction\":\"change the sofa to deep emerald green\","
                  + "\"reference_images\":[\""
                  + ref
                  + "\"]}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      String sent = s.upstream.requests.get(0).text();
      assertThat(sent.split("name=\"image\\[\\]\"", -1)).hasSize(3);
      assertThat(sent)
          .contains("name=\"mask\"", "Strictly follow the style of the reference image.");
      RgbImage next = s.content(r.json().object("round").orElseThrow().string("image_id", ""));
      LocalEditApiTest.assertOnlyColumnsChanged(
          RgbImage.from(input), next, 0, (int) Math.round(0.15 * 96));
    }
  }

  @Test
  void sessionsOnAModelWithoutAPriceSayHowToGetOne() throws Exception {
    try (Setup s = new Setup("gpt-image-2", 8, 0)) {
      ServerFixture.Reply created =
          s.post("/v1/sessions", "{\"prompt\":\"a lighthouse at dusk\",\"size\":\"64x64\"}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      assertThat(created.json().get("cost_usd")).contains(JsonValue.Null.INSTANCE);
      assertThat(created.json().string("cost_note", "")).contains("--price-table");
      assertThat(created.json().object("usage").orElseThrow().integer("total_tokens", -1))
          .isEqualTo(150);
    }
  }

  @Test
  void upstreamRefusalsKeepTheirStatusAndFailuresAre502sAndNothingIsStored() throws Exception {
    try (Setup s = new Setup("gpt-image-2", 8, 1)) {
      int blobsBefore = s.metadata.referencedBlobs().size();
      s.upstream.enqueue(
          400,
          "{\"error\":{\"message\":\"Your request was rejected by the safety system.\","
              + "\"type\":\"invalid_request_error\",\"param\":\"prompt\","
              + "\"code\":\"moderation_blocked\"}}");
      ServerFixture.Reply refused =
          s.post("/v1/images/generations", "{\"prompt\":\"something\",\"size\":\"64x64\"}");
      assertThat(refused.status()).isEqualTo(400);
      JsonValue.Obj err = refused.json().object("error").orElseThrow();
      assertThat(err.string("message", "")).contains("rejected by the safety system");
      assertThat(err.string("param", "")).isEqualTo("prompt");
      assertThat(err.string("code", "")).isEqualTo("moderation_blocked");
      assertThat(s.upstream.requests).hasSize(1);

      s.upstream.enqueue(503, "{\"error\":{\"message\":\"overloaded\"}}");
      s.upstream.enqueue(503, "{\"error\":{\"message\":\"overloaded\"}}");
      ServerFixture.Reply failed =
          s.post("/v1/images/generations", "{\"prompt\":\"something\",\"size\":\"64x64\"}");
      assertThat(failed.status()).isEqualTo(502);
      assertThat(failed.json().object("error").orElseThrow().string("type", ""))
          .isEqualTo("server_error");
      assertThat(s.upstream.requests).hasSize(3);

      s.upstream.enqueue(200, "{\"created\":1,\"data\":[{\"b64_json\":\"bm90IGFuIGltYWdl\"}]}");
      ServerFixture.Reply garbage =
          s.post("/v1/images/generations", "{\"prompt\":\"something\",\"size\":\"64x64\"}");
      assertThat(garbage.status()).as(garbage.body()).isEqualTo(502);
      assertThat(s.metadata.referencedBlobs()).hasSize(blobsBefore);
      assertThat(failed.body() + refused.body() + garbage.body()).doesNotContain(KEY);
    }
  }

  @Test
  void upstreamPartialImagesStreamThroughToTheClient() throws Exception {
    try (Setup s = new Setup("gpt-image-2", 4, 0)) {
      s.upstream.enqueueEvents(
          "image_generation.partial_image",
          "{\"type\":\"image_generation.partial_image\",\"b64_json\":\""
              + FakeUpstream.solidPng(0x102030)
              + "\",\"partial_image_index\":0}",
          "image_generation.partial_image",
          "{\"type\":\"image_generation.partial_image\",\"b64_json\":\""
              + FakeUpstream.solidPng(0x405060)
              + "\",\"partial_image_index\":1}",
          "image_generation.completed",
          "{\"type\":\"image_generation.completed\",\"b64_json\":\""
              + FakeUpstream.solidPng(0x708090)
              + "\",\"usage\":"
              + FakeUpstream.USAGE
              + "}");
      HttpResponse<String> r =
          s.http.send(
              HttpRequest.newBuilder(URI.create(s.base() + "/v1/images/generations"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"prompt\":\"a kite\",\"size\":\"64x64\",\"stream\":true,"
                              + "\"partial_images\":2}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(s.upstream.requests.get(0).text()).contains("\"partial_images\":2");
      List<StreamingApiTest.Event> events = StreamingApiTest.events(r.body());
      assertThat(events)
          .extracting(StreamingApiTest.Event::name)
          .containsExactly(
              "image_generation.partial_image",
              "image_generation.partial_image",
              "image_generation.completed");
      int[] colours = {0x102030, 0x405060, 0x708090};
      for (int i = 0; i < 3; i++) {
        RgbImage img = ImageCodec.decode(events.get(i).image(), ImageLimits.DEFAULT);
        assertThat(img.width()).isEqualTo(64);
        assertThat(img.rgbAt(32, 32)).isEqualTo(colours[i]);
      }
      JsonValue.Obj done = events.get(2).data();
      assertThat(done.object("usage").orElseThrow().integer("total_tokens", -1)).isEqualTo(150);
      assertThat(s.content(done.string("id", "")).rgbAt(5, 5)).isEqualTo(0x708090);
    }
  }
}
