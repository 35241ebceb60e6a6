package dev.atelier.engine.openai;

import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A MockWebServer as the upstream, tiny PNGs and a recording sleeper for the engine's tests. */
abstract class UpstreamTestSupport {
  static final String KEY = "sk-test-S3CRET-key-0123456789";
  static final Instant NOW = Instant.parse("2026-04-01T12:00:00Z");

  MockWebServer server;
  final List<Duration> sleeps = new ArrayList<>();
  final Sleeper sleeper = sleeps::add;
  private final List<OpenAiEngine> engines = new ArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stopServer() {
    engines.forEach(OpenAiEngine::close);
    server.close();
  }

  UpstreamConfig.Builder config() {
    return UpstreamConfig.builder(KEY).baseUrl(server.url("/v1").toString());
  }

  OpenAiEngine engine() {
    return engine(config().build());
  }

  OpenAiEngine engine(UpstreamConfig config) {
    OpenAiEngine e =
        new OpenAiEngine(config, sleeper, Clock.fixed(NOW, ZoneOffset.UTC), new Random(42));
    engines.add(e);
    return e;
  }

  static GenerationRequest generation(int n, int size) {
    return new GenerationRequest(
        "a white ceramic coffee cup",
        new ImageSize(size, size),
        SamplingParams.builder().n(n).seed(7).quality("high").build());
  }

  /** A one-colour image. */
  static RgbImage solid(int w, int h, int rgb) {
    byte[] px = new byte[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      px[i * 3] = (byte) (rgb >> 16);
      px[i * 3 + 1] = (byte) (rgb >> 8);
      px[i * 3 + 2] = (byte) rgb;
    }
    return new RgbImage(w, h, px);
  }

  static String b64Png(RgbImage image) {
    return Base64.getEncoder().encodeToString(ImageCodec.encodePng(image, Map.of()));
  }

  /** An Images API answer with one 16x16 image per colour. */
  static String imagesJson(String usage, int... colours) {
    StringBuilder data = new StringBuilder();
    for (int c : colours) {
      data.append(data.isEmpty() ? "" : ",")
          .append("{\"b64_json\":\"")
          .append(b64Png(solid(16, 16, c)))
          .append("\"}");
    }
    return "{\"created\":1,\"data\":["
        + data
        + "]"
        + (usage.isEmpty() ? "" : ",\"usage\":" + usage)
        + "}";
  }

  static String usage(int in, int out, int text, int image) {
    return "{\"input_tokens\":%d,\"output_tokens\":%d,\"total_tokens\":%d,\"input_tokens_details\":{\"text_tokens\":%d,\"image_tokens\":%d}}"
        .formatted(in, out, in + out, text, image);
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json")
        .addHeader("x-request-id", "req_" + code)
        .body(body)
        .build();
  }

  static MockResponse error(int code, String message, String param, String type) {
    return json(
        code,
        "{\"error\":{\"message\":%s,\"type\":\"%s\",\"param\":%s,\"code\":null}}"
            .formatted(Json.quote(message), type, param == null ? "null" : Json.quote(param)));
  }

  RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("the engine sent no request");
    }
    return r;
  }

  static JsonValue.Obj jsonBody(RecordedRequest r) {
    return Json.parse(r.getBody().utf8()).asObject();
  }

  /** One part of a multipart/form-data body. */
  record Part(String name, String fileName, String contentType, byte[] content) {
    String text() {
      return new String(content, StandardCharsets.UTF_8);
    }
  }

  /** Splits a recorded multipart/form-data body into its parts. */
  static List<Part> parts(RecordedRequest r) {
    String type = r.getHeaders().get("Content-Type");
    String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length());
    byte[] body = r.getBody().toByteArray();
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    List<Part> parts = new ArrayList<>();
    int at = indexOf(body, delimiter, 0);
    while (true) {
      int start = at + delimiter.length;
      if (body[start] == '-' && body[start + 1] == '-') {
        return parts;
      }
      start += 2; // CRLF after the delimiter
      int next = indexOf(body, delimiter, start);
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), start);
      String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
      byte[] content = Arrays.copyOfRange(body, headersEnd + 4, next - 2);
      parts.add(
          new Part(
              attribute(headers, "name"),
              attribute(headers, "filename"),
              header(headers, "Content-Type"),
              content));
      at = next;
    }
  }

  private static String attribute(String headers, String name) {
    String key = " " + name + "=\"";
    int i = headers.indexOf(key);
    return i < 0 ? "" : headers.substring(i + key.length(), headers.indexOf('"', i + key.length()));
  }

  private static String header(String headers, String name) {
    for (String line : headers.split("\r\n")) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).strip();
      }
    }
    return "";
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("multipart delimiter not found");
  }
}
