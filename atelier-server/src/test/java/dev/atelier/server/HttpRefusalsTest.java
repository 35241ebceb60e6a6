package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.http.RequestLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP stack's own refusals, on a real socket with raw HTTP/1.1 so that the test controls every
 * byte: each is a 4xx in OpenAI's error shape (strict JSON), within a bounded time, and the body
 * limits refuse before reading what they refuse.
 */
class HttpRefusalsTest {
  /** Small limits, so that refusals need few bytes. */
  static final RequestLimits LIMITS =
      new RequestLimits(
          64 << 10, 256 << 10, 8, 64, 64, 32 << 10, 3840L * 2160, 16_384, 21, 4L * 3840 * 2160);

  /** Every answer must arrive within this; the idle timeout below is well inside it. */
  static final int READ_TIMEOUT_MS = 10_000;

  @TempDir Path dir;
  ServerFixture f;

  @BeforeEach
  void start() {
    f =
        ServerFixture.withConfig(
            dir,
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withLimits(LIMITS)
                .withIdleTimeout(Duration.ofMillis(500)));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  record Raw(int status, Map<String, String> headers, String body, long millis) {
    JsonValue.Obj error() {
      assertThat(headers.getOrDefault("content-type", "")).as(body).startsWith("application/json");
      ServerFixture.assertStrictJson(body);
      JsonValue.Obj error = Json.parse(body).asObject().object("error").orElseThrow();
      assertThat(error.members().keySet()).containsExactly("message", "type", "param", "code");
      return error;
    }
  }

  /** Sends {@code head} (and {@code body}, if any), then reads one response. */
  Raw send(String head, byte[] body, boolean closeOutput) throws IOException {
    long start = System.nanoTime();
    try (Socket s = new Socket("127.0.0.1", f.server.port())) {
      s.setSoTimeout(READ_TIMEOUT_MS);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      if (closeOutput) {
        s.shutdownOutput();
      }
      return read(s.getInputStream(), start);
    }
  }

  Raw send(String head) throws IOException {
    return send(head, null, false);
  }

  private static Raw read(InputStream in, long start) throws IOException {
    ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the headers ended: " + headBytes);
      }
      headBytes.write(b);
      matched = (b == '\r' || b == '\n') ? (b == "\r\n\r\n".charAt(matched) ? matched + 1 : 0) : 0;
    }
    String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body;
    if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      body = readToClose(in);
    }
    return new Raw(
        status,
        headers,
        new String(body, StandardCharsets.UTF_8),
        (System.nanoTime() - start) / 1_000_000);
  }

  /** A body sent without a length: chunked is not used by these answers, so read to the end. */
  private static byte[] readToClose(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      in.transferTo(out);
    } catch (SocketException e) {
      // a reset after the answer: what arrived is the answer
    }
    return out.toByteArray();
  }

  private static String post(String path, String contentType, long length) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
        + contentType
        + "\r\nContent-Length: "
        + length
        + "\r\n\r\n";
  }

  @Test
  void badPercentEncodingIsA400InOpenAiShape() throws Exception {
    Raw r = send("GET /v1/images/%zz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    JsonValue.Obj e = r.error();
    assertThat(e.string("type", "")).isEqualTo("invalid_request_error");
    assertThat(e.string("code", "")).isEqualTo("bad_request");
    assertThat(e.string("message", ""))
        .isEqualTo(
            "the HTTP request is malformed (bad percent-encoding in the URI: % must be followed by"
                + " two hex digits)");
    assertThat(r.headers()).containsKey(RequestLog.HEADER);
  }

  @Test
  void dotDotSegmentsAreA400InOpenAiShape() throws Exception {
    Raw r = send("GET /v1/../../etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error().string("code", "")).isEqualTo("bad_request");
    assertThat(r.error().string("message", "")).contains("a '..' segment climbs above the root");
  }

  @Test
  void anEncodedSeparatorStaysInsideItsPathSegment() throws Exception {
    // %2F is not a separator: the whole segment is the id, which names no image.
    Raw r = send("GET /v1/images/a%2F..%2F..%2Fb HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(r.status()).as(r.body()).isEqualTo(404);
    assertThat(r.error().string("code", "")).isEqualTo("not_found");
  }

  @Test
  void aTenThousandCharacterUriIsA414InOpenAiShape() throws Exception {
    Raw r =
        send("GET /v1/images/img_" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(r.status()).as(r.body()).isEqualTo(414);
    assertThat(r.error().string("code", "")).isEqualTo("uri_too_long");
  }

  @Test
  void headersOverEightKibAreA431InOpenAiShape() throws Exception {
    Raw r =
        send(
            "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "b".repeat(10_000)
                + "\r\n\r\n");
    assertThat(r.status()).as(r.body()).isEqualTo(431);
    assertThat(r.error().string("code", "")).isEqualTo("headers_too_large");
  }

  @Test
  void aHeaderWithoutAColonIsA400InOpenAiShape() throws Exception {
    Raw r = send("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n");
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error().string("message", ""))
        .isEqualTo("the HTTP request is malformed (Illegal character SPACE=' ')");
    assertThat(r.error().string("code", "")).isEqualTo("bad_request");
  }

  @Test
  void aDeclaredJsonLengthOverTheCapIsA413BeforeTheBodyIsSent() throws Exception {
    // Only the headers are written: the answer must come without a byte of the 300 MB body.
    Raw r = send(post("/v1/images/generations", "application/json", 300L << 20));
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.headers()).containsEntry("x-content-type-options", "nosniff");
    JsonValue.Obj e = r.error();
    assertThat(e.string("code", "")).isEqualTo("too_large");
    assertThat(e.string("message", ""))
        .isEqualTo(
            "the request body declares 314572800 bytes (Content-Length) but at most 65536 are"
                + " accepted (serve --max-json-mb); nothing was read");
    assertThat(r.millis()).isLessThan(5_000);
  }

  @Test
  void aDeclaredMultipartLengthOverTheCapIsA413BeforeTheBodyIsSent() throws Exception {
    Raw r = send(post("/v1/images/edits", "multipart/form-data; boundary=xyz", 300L << 20));
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.error().string("message", ""))
        .startsWith("the multipart body declares 314572800 bytes")
        .contains("--max-multipart-mb");
  }

  @Test
  void aChunkedJsonBodyIsCutOffAtTheCap() throws Exception {
    String head =
        "POST /v1/images/generations HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    // Twice the cap in 8 KiB chunks; the server may answer (and close) before all are written.
    ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    byte[] piece = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 16; i++) {
      chunks.write(("2000\r\n").getBytes(StandardCharsets.US_ASCII));
      chunks.write(piece);
      chunks.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    Raw r = send(head, chunks.toByteArray(), false);
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.error().string("message", ""))
        .isEqualTo(
            "the request body is over 65536 bytes, the most this server accepts (serve"
                + " --max-json-mb); it was cut off there");
  }

  @Test
  void anIncompleteBodyIsA400() throws Exception {
    // The client declares 100 bytes, sends 10 and closes its side.
    Raw r =
        send(
            post("/v1/images/generations", "application/json", 100),
            "{\"prompt\":".getBytes(StandardCharsets.UTF_8),
            true);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error().string("code", "")).as(r.body()).isEqualTo("incomplete_body");
    assertThat(r.error().string("message", ""))
        .isEqualTo("the request body ended before the length it declared");
  }

  @Test
  void aStalledBodyIsA408WithinTheIdleTimeout() throws Exception {
    // The client declares 100 bytes, sends 10 and then nothing: the 500 ms idle timeout answers.
    Raw r =
        send(
            post("/v1/images/generations", "application/json", 100),
            "{\"prompt\":".getBytes(StandardCharsets.UTF_8),
            false);
    assertThat(r.status()).as(r.body()).isEqualTo(408);
    assertThat(r.error().string("code", "")).isEqualTo("request_timeout");
    assertThat(r.millis()).isLessThan(5_000);
  }

  @Test
  void aStalledMultipartBodyIsA408() throws Exception {
    byte[] start =
        "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nx"
            .getBytes(StandardCharsets.UTF_8);
    Raw r = send(post("/v1/images/edits", "multipart/form-data; boundary=b", 1000), start, false);
    assertThat(r.status()).as(r.body()).isEqualTo(408);
    assertThat(r.error().string("code", "")).isEqualTo("request_timeout");
  }

  @Test
  void anIncompleteMultipartBodyIsA400() throws Exception {
    byte[] start =
        "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nx"
            .getBytes(StandardCharsets.UTF_8);
    Raw r = send(post("/v1/images/edits", "multipart/form-data; boundary=b", 1000), start, true);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error().string("code", "")).as(r.body()).isEqualTo("incomplete_body");
  }

  @Test
  void aMultipartBodyOnAJsonRouteIsA400() throws Exception {
    byte[] body =
        "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nx\r\n--b--\r\n"
            .getBytes(StandardCharsets.UTF_8);
    Raw r =
        send(
            post("/v1/images/generations", "multipart/form-data; boundary=b", body.length),
            body,
            false);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error().string("message", ""))
        .startsWith("/v1/images/generations takes a JSON body");
  }

  @Test
  void imageBytesSentAsTheBodyAreA400() throws Exception {
    byte[] body = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    Raw r = send(post("/v1/images/edits", "image/png", body.length), body, false);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error().string("message", "")).startsWith("the request body is not valid JSON");
  }

  @Test
  void multipartWithoutABoundaryIsA400OnEveryMultipartRoute() throws Exception {
    String session =
        f.post("/v1/sessions", "{\"prompt\":\"a red cup\",\"seed\":1}").json().string("id", "");
    for (String path :
        new String[] {
          "/v1/images/edits",
          "/v1/images/variations",
          "/v1/sessions",
          "/v1/sessions/" + session + "/rounds"
        }) {
      byte[] body =
          "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nx\r\n--b--\r\n"
              .getBytes(StandardCharsets.UTF_8);
      Raw r = send(post(path, "multipart/form-data", body.length), body, false);
      assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(400);
      assertThat(r.error().string("message", ""))
          .as(path)
          .startsWith("Content-Type multipart/form-data must carry a boundary parameter");
    }
  }

  @Test
  void aPartOverTheImageCapIsA413NamingIt() throws Exception {
    byte[] image = new byte[40 << 10]; // over the 32 KiB image cap, under the 256 KiB body cap
    Raw r = multipart("/v1/images/edits", Map.of("prompt", "x".getBytes()), "image", image);
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    JsonValue.Obj e = r.error();
    assertThat(e.string("code", "")).isEqualTo("too_large");
    assertThat(e.string("param", "")).isEqualTo("image");
    assertThat(e.string("message", "")).contains("32768 bytes").contains("--max-image-mb");
  }

  @Test
  void aPartWithoutAFileNameOverTheImageCapIsA413Too() throws Exception {
    // The official SDKs do not always give the image part a file name.
    Raw r =
        multipart(
            "/v1/images/edits",
            Map.of("prompt", "x".getBytes(), "image", new byte[40 << 10]),
            null,
            null);
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.error().string("param", "")).isEqualTo("image");
  }

  @Test
  void aChunkedMultipartBodyIsCutOffAtTheCap() throws Exception {
    String head =
        "POST /v1/images/edits HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\n\r\n";
    ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    byte[] start =
        "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    chunks.write((Integer.toHexString(start.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    chunks.write(start);
    chunks.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] piece = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 40; i++) { // 320 KiB, over the 256 KiB multipart cap
      chunks.write(("2000\r\n").getBytes(StandardCharsets.US_ASCII));
      chunks.write(piece);
      chunks.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    Raw r = send(head, chunks.toByteArray(), false);
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.error().string("code", "")).isEqualTo("too_large");
  }

  @Test
  void tooManyPartsAreA413() throws Exception {
    Map<String, byte[]> fields = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      fields.put("field" + i, "x".getBytes(StandardCharsets.UTF_8));
    }
    Raw r = multipart("/v1/images/edits", fields, null, null);
    assertThat(r.status()).as(r.body()).isEqualTo(413);
    assertThat(r.error().string("message", ""))
        .isEqualTo("the multipart body has more than 8 parts, the most this server accepts");
  }

  private Raw multipart(String path, Map<String, byte[]> fields, String fileName, byte[] file)
      throws IOException {
    String boundary = "atelier-refusals";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (var field : fields.entrySet()) {
      body.write(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\""
                  + field.getKey()
                  + "\"\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      body.write(field.getValue());
      body.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    if (file != null) {
      body.write(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\""
                  + fileName
                  + "\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      body.write(file);
      body.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    byte[] bytes = body.toByteArray();
    return send(
        post(path, "multipart/form-data; boundary=" + boundary, bytes.length), bytes, false);
  }
}
