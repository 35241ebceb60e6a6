package dev.atelier.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.RgbImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OpenAI-compatible Images API on localhost for tests: answers every images call with solid
 * images of a new colour per call and a fixed usage, or with the queued failures first; records
 * each request.
 */
final class FakeUpstream implements AutoCloseable {
  /** A request as received. */
  record Recorded(String method, String path, Map<String, List<String>> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.ISO_8859_1);
    }
  }

  /** A queued answer. */
  record Answer(int status, String json, String contentType) {
    Answer(int status, String json) {
      this(status, json, "application/json");
    }
  }

  static final String USAGE =
      "{\"input_tokens\":50,\"input_tokens_details\":{\"text_tokens\":20,\"image_tokens\":30},"
          + "\"output_tokens\":100,\"total_tokens\":150}";

  final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final Deque<Answer> queued = new ArrayDeque<>();
  private final HttpServer server;
  private int calls;

  FakeUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL an engine is configured with. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  synchronized void enqueue(int status, String json) {
    queued.add(new Answer(status, json));
  }

  /** Queues a 200 {@code text/event-stream} answer with these events. */
  synchronized void enqueueEvents(String... typeAndData) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < typeAndData.length; i += 2) {
      body.append("event: ").append(typeAndData[i]).append("\ndata: ");
      body.append(typeAndData[i + 1]).append("\n\n");
    }
    queued.add(new Answer(200, body.toString(), "text/event-stream"));
  }

  /** A 32x32 PNG of one colour, base64. */
  static String solidPng(int rgb) {
    byte[] px = new byte[32 * 32 * 3];
    for (int i = 0; i < px.length; i += 3) {
      px[i] = (byte) (rgb >> 16);
      px[i + 1] = (byte) (rgb >> 8);
      px[i + 2] = (byte) rgb;
    }
    return Base64.getEncoder()
        .encodeToString(ImageCodec.encodePng(new RgbImage(32, 32, px), Map.of()));
  }

  /** The colour the images of call {@code k} (0-based) have. */
  static int colour(int k) {
    return 0x204080 + k * 0x101010;
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    requests.add(
        new Recorded(
            ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestHeaders(), body));
    Answer a;
    synchronized (this) {
      a = queued.poll();
      if (a == null) {
        a = new Answer(200, images(countN(body), colour(calls)));
      }
      calls++;
    }
    byte[] out = a.json().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", a.contentType());
    ex.getResponseHeaders().add("x-request-id", "req_" + calls);
    ex.sendResponseHeaders(a.status(), out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  /** n from a JSON body ("n":3) or a multipart field (name="n" ... 3); 1 when absent. */
  private static int countN(byte[] body) {
    String text = new String(body, StandardCharsets.ISO_8859_1);
    var json = java.util.regex.Pattern.compile("\"n\"\\s*:\\s*(\\d+)").matcher(text);
    if (json.find()) {
      return Integer.parseInt(json.group(1));
    }
    var form = java.util.regex.Pattern.compile("name=\"n\"\\r\\n\\r\\n(\\d+)").matcher(text);
    return form.find() ? Integer.parseInt(form.group(1)) : 1;
  }

  private static String images(int n, int rgb) {
    String b64 = solidPng(rgb);
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < n; i++) {
      data.append(i == 0 ? "" : ",").append("{\"b64_json\":\"").append(b64).append("\"}");
    }
    return "{\"created\":1,\"data\":[" + data + "],\"usage\":" + USAGE + "}";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
