package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImageEditStreamEvent;
import com.openai.models.images.ImageGenCompletedEvent;
import com.openai.models.images.ImageGenStreamEvent;
import com.openai.models.images.ImageGenerateParams;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code "stream": true} over real HTTP: OpenAI's event shape read raw and by the official Java
 * SDK, partial images picked from the engine's steps, completed events that match the stored
 * images, and failures (before the stream: JSON; during it: an error event; a client that leaves:
 * cancelled) that store nothing.
 */
class StreamingApiTest {
  @TempDir Path dir;
  ServerFixture f;
  OpenAIClient sdk;

  @BeforeEach
  void start() {
    f = new ServerFixture(dir, false, new FakeGrounder());
    sdk =
        OpenAIOkHttpClient.builder()
            .apiKey("sk-local")
            .baseUrl(f.base() + "/v1")
            .maxRetries(0)
            .build();
  }

  @AfterEach
  void stop() {
    sdk.close();
    f.close();
  }

  /** One server-sent event: its {@code event:} name and its JSON data. */
  record Event(String name, JsonValue.Obj data) {
    String type() {
      return data.string("type", "");
    }

    byte[] image() {
      return Base64.getDecoder().decode(data.string("b64_json", ""));
    }
  }

  /** Splits an event-stream body into events; comment lines are skipped as SSE says. */
  static List<Event> events(String body) {
    List<Event> out = new ArrayList<>();
    for (String block : body.split("\n\n")) {
      String name = "";
      StringBuilder data = new StringBuilder();
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
      if (!data.isEmpty()) {
        ServerFixture.assertStrictJson(data.toString());
        out.add(new Event(name, Json.parse(data.toString()).asObject()));
      }
    }
    return out;
  }

  HttpResponse<String> postRaw(String path, String json) throws Exception {
    return f.http.send(
        HttpRequest.newBuilder(URI.create(f.base() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static RgbImage decode(byte[] bytes) {
    return ImageCodec.decode(bytes, ImageLimits.DEFAULT);
  }

  static boolean isPng(byte[] b) {
    return b.length > 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
  }

  long blobFiles() throws Exception {
    try (Stream<Path> files = Files.walk(dir.resolve("blobs"))) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void partialImagesThenOneCompletedEventPerStoredImage() throws Exception {
    String prompt = "a lighthouse at dusk";
    HttpResponse<String> r =
        postRaw(
            "/v1/images/generations",
            "{\"prompt\":\""
                + prompt
                + "\",\"n\":2,\"size\":\"64x48\",\"seed\":5,\"steps\":10,"
                + "\"stream\":true,\"partial_images\":2}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(r.body()).doesNotContain("[DONE]");
    List<Event> events = events(r.body());
    assertThat(events)
        .extracting(Event::name)
        .containsExactly(
            "image_generation.partial_image",
            "image_generation.partial_image",
            "image_generation.completed",
            "image_generation.completed");
    assertThat(events).allSatisfy(e -> assertThat(e.type()).isEqualTo(e.name()));
    for (Event e : events) {
      assertThat(isPng(e.image())).isTrue();
      RgbImage img = decode(e.image());
      assertThat(img.width()).isEqualTo(64);
      assertThat(img.height()).isEqualTo(48);
      assertThat(e.data().string("size", "")).isEqualTo("64x48");
      assertThat(e.data().string("output_format", "")).isEqualTo("png");
      assertThat(e.data().string("quality", "")).isEqualTo("medium");
      assertThat(e.data().string("background", "")).isEqualTo("opaque");
      assertThat(e.data().number("created_at", 0)).isPositive();
    }
    assertThat(events.get(0).data().integer("partial_image_index", -1)).isZero();
    assertThat(events.get(1).data().integer("partial_image_index", -1)).isEqualTo(1);
    // 10 steps, 2 partial images: the previews of steps 3 and 7, scaled to the output size.
    int full = FakeEngine.colour(prompt, 5);
    int red = (full >> 16) & 0xff;
    assertThat((decode(events.get(0).image()).rgbAt(10, 10) >> 16) & 0xff).isEqualTo(red * 3 / 10);
    assertThat((decode(events.get(1).image()).rgbAt(10, 10) >> 16) & 0xff).isEqualTo(red * 7 / 10);

    List<Long> seeds = new ArrayList<>();
    List<Long> totals = new ArrayList<>();
    for (Event done : events.subList(2, 4)) {
      JsonValue.Obj d = done.data();
      String id = d.string("id", "");
      assertThat(id).startsWith("img_");
      assertThat(d.string("url", ""))
          .startsWith(f.base() + "/v1/images/" + id + "/content?expires=")
          .contains("&sig=");
      assertThat(done.image()).isEqualTo(f.bytes(d.string("url", "")));
      JsonValue.Obj usage = d.object("usage").orElseThrow();
      totals.add(usage.integer("total_tokens", -1));
      assertThat(usage.object("input_tokens_details").orElseThrow().integer("image_tokens", -1))
          .isZero();
      assertThat(d.has("warnings")).isFalse();
      seeds.add(d.integer("seed", -1));
    }
    assertThat(seeds).containsExactly(5L, 6L);
    // The fake engine's tokenizer counts words: the prompt's 4 on the first image; 64x48 at
    // medium is 2 rows of (2 + 1) patches per image.
    assertThat(totals).containsExactly(10L, 6L);
  }

  @Test
  void partialImagesAreEncodedInTheRequestedFormat() throws Exception {
    HttpResponse<String> r =
        postRaw(
            "/v1/images/generations",
            "{\"prompt\":\"a fox\",\"size\":\"64x64\",\"steps\":4,\"quality\":\"high\","
                + "\"output_format\":\"jpeg\",\"output_compression\":80,"
                + "\"stream\":true,\"partial_images\":1}");
    List<Event> events = events(r.body());
    assertThat(events).extracting(Event::type).endsWith("image_generation.completed");
    assertThat(events).hasSize(2);
    for (Event e : events) {
      assertThat(e.image()[0] & 0xff).isEqualTo(0xff);
      assertThat(e.image()[1] & 0xff).isEqualTo(0xd8);
      assertThat(e.data().string("output_format", "")).isEqualTo("jpeg");
      assertThat(e.data().string("quality", "")).isEqualTo("high");
      assertThat(decode(e.image()).width()).isEqualTo(64);
    }
  }

  @Test
  void theSdkStreamsGenerations() {
    List<ImageGenStreamEvent> seen = new ArrayList<>();
    try (StreamResponse<ImageGenStreamEvent> stream =
        sdk.images()
            .generateStreaming(
                ImageGenerateParams.builder()
                    .model("gpt-image-1")
                    .prompt("a red kite over the sea")
                    .size(ImageGenerateParams.Size.of("64x64"))
                    .partialImages(3)
                    .putAdditionalBodyProperty("steps", com.openai.core.JsonValue.from(8))
                    .build())) {
      stream.stream().forEach(seen::add);
    }
    assertThat(seen).hasSize(4);
    for (int i = 0; i < 3; i++) {
      var partial = seen.get(i).asGenerationPartialImage();
      assertThat(partial.partialImageIndex()).isEqualTo(i);
      assertThat(decode(Base64.getDecoder().decode(partial.b64Json())).width()).isEqualTo(64);
    }
    ImageGenCompletedEvent done = seen.get(3).asGenerationCompleted();
    assertThat(done.size().toString()).isEqualTo("64x64");
    assertThat(done.outputFormat().toString()).isEqualTo("png");
    // "a red kite over the sea" is 6 words; 64x64 at medium is 2 * (2 + 1) output tokens.
    assertThat(done.usage().totalTokens()).isEqualTo(12);
    String id = (String) done._additionalProperties().get("id").asString().orElseThrow();
    assertThat(f.metadata.image(id)).isPresent();
  }

  @Test
  void theSdkStreamsEditsAndSeesAnErrorEventAsAnSseException() throws Exception {
    byte[] image = ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x336699));
    byte[] mask = ImagesApiTest.png(ImagesApiTest.leftHalfMask(64, 64));
    List<ImageEditStreamEvent> seen = new ArrayList<>();
    try (StreamResponse<ImageEditStreamEvent> stream =
        sdk.images()
            .editStreaming(
                ImageEditParams.builder()
                    .image(image)
                    .mask(mask)
                    .prompt("repaint the left half")
                    .partialImages(1)
                    .putAdditionalBodyProperty("steps", com.openai.core.JsonValue.from(4))
                    .build())) {
      stream.stream().forEach(seen::add);
    }
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).asPartialImage().partialImageIndex()).isZero();
    assertThat(seen.get(0).asPartialImage().size().toString()).isEqualTo("64x64");
    assertThat(seen.get(1).asCompleted()._type().toString()).contains("image_edit.completed");
    RgbImage edited = decode(Base64.getDecoder().decode(seen.get(1).asCompleted().b64Json()));
    assertThat(edited.rgbAt(50, 10)).isEqualTo(0x336699);
    assertThat(edited.rgbAt(5, 10)).isNotEqualTo(0x336699);

    f.engine.failAtStep = 3;
    List<ImageGenStreamEvent> beforeFailure = new ArrayList<>();
    assertThatThrownBy(
            () -> {
              try (StreamResponse<ImageGenStreamEvent> stream =
                  sdk.images()
                      .generateStreaming(
                          ImageGenerateParams.builder()
                              .prompt("a storm")
                              .partialImages(1)
                              .putAdditionalBodyProperty("steps", com.openai.core.JsonValue.from(4))
                              .build())) {
                stream.stream().forEach(beforeFailure::add);
              }
            })
        .isInstanceOfSatisfying(
            SseException.class,
            e -> {
              assertThat(e.code()).hasValue("engine_error");
              assertThat(e.type()).hasValue("server_error");
              assertThat(e.getMessage()).contains("fake failure at step 3");
            });
    assertThat(beforeFailure).hasSize(1);
  }

  @Test
  void anEngineFailureMidStreamIsAnErrorEventAndStoresNothing() throws Exception {
    int rows = f.metadata.referencedBlobs().size();
    long files = blobFiles();
    f.engine.failAtStep = 8;
    HttpResponse<String> r =
        postRaw(
            "/v1/images/generations",
            "{\"prompt\":\"a failing render\",\"n\":2,\"steps\":10,\"stream\":true,"
                + "\"partial_images\":1}");
    assertThat(r.statusCode()).isEqualTo(200);
    List<Event> events = events(r.body());
    assertThat(events)
        .extracting(Event::name)
        .containsExactly("image_generation.partial_image", "error");
    JsonValue.Obj error = events.get(1).data();
    assertThat(error.string("type", "")).isEqualTo("error");
    JsonValue.Obj inner = error.object("error").orElseThrow();
    assertThat(inner.string("type", "")).isEqualTo("server_error");
    assertThat(inner.string("code", "")).isEqualTo("engine_error");
    assertThat(inner.string("message", "")).contains("fake failure at step 8");
    assertThat(inner.get("param")).containsInstanceOf(JsonValue.Null.class);
    assertThat(f.metadata.referencedBlobs()).hasSize(rows);
    assertThat(blobFiles()).isEqualTo(files);
  }

  @Test
  void failuresBeforeTheFirstEventAreOrdinaryJsonErrors() throws Exception {
    f.engine.failAtStep = 1;
    HttpResponse<String> failed =
        postRaw(
            "/v1/images/generations", "{\"prompt\":\"x\",\"stream\":true,\"partial_images\":2}");
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.headers().firstValue("Content-Type").orElse("")).contains("json");
    assertThat(failed.body()).contains("\"code\":\"engine_error\"");
    f.engine.failAtStep = 0;

    HttpResponse<String> unknown =
        postRaw(
            "/v1/images/edits",
            "{\"prompt\":\"x\",\"session\":\"ses_0000000000000000000000\",\"stream\":true}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("\"param\":\"session\"");
  }

  @Test
  void badStreamingFieldsAre400sNamingTheFieldAndStoreNothing() throws Exception {
    int rows = f.metadata.referencedBlobs().size();
    String[][] cases = {
      {
        "\"stream\":true,\"partial_images\":5",
        "partial_images",
        "partial_images must be an integer 0..3 but was 5"
      },
      {
        "\"stream\":true,\"partial_images\":-1",
        "partial_images",
        "partial_images must be an integer 0..3 but was -1"
      },
      {
        "\"stream\":true,\"partial_images\":\"x\"",
        "partial_images",
        "partial_images must be an integer 0..3 but was \"x\""
      },
      {
        "\"partial_images\":4", "partial_images", "partial_images must be an integer 0..3 but was 4"
      },
      {"\"stream\":\"yes\"", "stream", "stream must be true or false but was \"yes\""},
      {"\"stream\":1", "stream", "stream must be true or false but was 1"},
    };
    for (String[] c : cases) {
      ServerFixture.Reply r = f.post("/v1/images/generations", "{\"prompt\":\"x\"," + c[0] + "}");
      assertThat(r.status()).as(c[0]).isEqualTo(400);
      JsonValue.Obj error = r.json().object("error").orElseThrow();
      assertThat(error.string("param", "")).as(c[0]).isEqualTo(c[1]);
      assertThat(error.string("message", "")).as(c[0]).isEqualTo(c[2]);
    }
    ServerFixture.Reply edit =
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"x\",\"image\":\""
                + LocalEditApiTest.b64(ImagesApiTest.solid(16, 16, 0))
                + "\",\"partial_images\":9}");
    assertThat(edit.status()).isEqualTo(400);
    assertThat(edit.body()).contains("\"param\":\"partial_images\"");
    assertThat(f.engine.calls.get()).isZero();
    assertThat(f.metadata.referencedBlobs()).hasSize(rows);
  }

  @Test
  void withoutStreamTheAnswerIsTheUsualJson() throws Exception {
    for (String extra : new String[] {"", ",\"stream\":false", ",\"partial_images\":2"}) {
      ServerFixture.Reply r =
          f.post("/v1/images/generations", "{\"prompt\":\"a cup\",\"n\":2" + extra + "}");
      assertThat(r.status()).as(extra).isEqualTo(200);
      assertThat(r.json().array("data")).hasSize(2);
      assertThat(r.json().has("usage")).isTrue();
    }
  }

  @Test
  void aClientThatLeavesCancelsTheWorkAndNothingIsStored() throws Exception {
    int rows = f.metadata.referencedBlobs().size();
    long files = blobFiles();
    f.engine.holdAtStep = 6;
    String body =
        "{\"prompt\":\"an endless render\",\"steps\":10,\"stream\":true,\"partial_images\":1}";
    try (Socket socket = new Socket("127.0.0.1", f.server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/images/generations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + body.getBytes(StandardCharsets.UTF_8).length
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String line;
      do {
        line = in.readLine();
      } while (line != null && !line.equals("event: image_generation.partial_image"));
      assertThat(line).isNotNull();
      socket.setSoLinger(true, 0);
    }
    assertThat(f.engine.cancelled.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(f.metadata.referencedBlobs()).hasSize(rows);
    assertThat(blobFiles()).isEqualTo(files);
  }

  @Test
  void sessionRoundsStreamAsEditsWithTheRoundInTheCompletedEvent() throws Exception {
    String session =
        f.post("/v1/sessions", "{\"prompt\":\"a cup on a table\"}").json().string("id", "");
    HttpResponse<String> r =
        postRaw(
            "/v1/images/edits",
            "{\"session\":\""
                + session
                + "\",\"prompt\":\"make the cup blue\",\"strength\":0.5,\"steps\":4,"
                + "\"stream\":true,\"partial_images\":1}");
    List<Event> events = events(r.body());
    assertThat(events)
        .extracting(Event::name)
        .containsExactly("image_edit.partial_image", "image_edit.completed");
    // Session images are PNGs (another output_format is refused with session).
    assertThat(events).allSatisfy(e -> assertThat(isPng(e.image())).isTrue());
    assertThat(events.get(0).data().string("size", "")).isEqualTo("64x64");
    JsonValue.Obj done = events.get(1).data();
    String id = done.string("id", "");
    assertThat(done.object("round").orElseThrow().string("image_id", "")).isEqualTo(id);
    JsonValue.Obj after = f.get("/v1/sessions/" + session).json();
    assertThat(after.string("current_image_id", "")).isEqualTo(id);
    assertThat(done.object("session").orElseThrow().string("id", "")).isEqualTo(session);
  }

  @Test
  void plainWordsLocalEditsStreamWholeImagePreviews() throws Exception {
    var input = LocalEditApiTest.noise(80, 64, 1);
    HttpResponse<String> r =
        postRaw(
            "/v1/images/edits",
            "{\"prompt\":\"change the sofa to deep emerald green, keep everything else unchanged\","
                + "\"image\":\""
                + LocalEditApiTest.b64(input)
                + "\",\"seed\":3,\"steps\":6,\"stream\":true,\"partial_images\":2}");
    List<Event> events = events(r.body());
    assertThat(events)
        .extracting(Event::name)
        .containsExactly(
            "image_edit.partial_image", "image_edit.partial_image", "image_edit.completed");
    RgbImage partial = decode(events.get(0).image());
    assertThat(partial.width()).isEqualTo(80);
    assertThat(partial.height()).isEqualTo(64);
    // Outside the sofa's strip the preview is the input itself.
    assertThat(partial.rgbAt(60, 30)).isEqualTo(RgbImage.from(input).rgbAt(60, 30));
    JsonValue.Obj done = events.get(2).data();
    LocalEditApiTest.assertOnlyColumnsChanged(
        RgbImage.from(input), decode(events.get(2).image()), 0, 12);
    assertThat(done.object("plan").orElseThrow().string("operation", "")).isEqualTo("recolor");
    assertThat(done.array("fidelity").get(0).asObject().number("changed_outside", -1))
        .isEqualTo(0.0);

    ServerFixture.Reply dry =
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"change the sofa to green\",\"image\":\""
                + LocalEditApiTest.b64(input)
                + "\",\"dry_run\":true,\"stream\":true}");
    assertThat(dry.status()).isEqualTo(400);
    assertThat(dry.body()).contains("\"param\":\"stream\"");
  }
}
