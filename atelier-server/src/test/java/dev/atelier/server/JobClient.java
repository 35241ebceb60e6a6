package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The jobs API as the job tests call it: requests made by an owner ({@value
 * ServerFixture#TEST_OWNER}), {@code Prefer: respond-async} submissions, jobs read back, and
 * conditions awaited until a deadline (never a sleep as the assertion).
 */
final class JobClient {
  /** How long any awaited condition may take before the test fails. */
  static final Duration DEADLINE = Duration.ofSeconds(30);

  private final ServerFixture f;

  JobClient(ServerFixture f) {
    this.f = f;
  }

  /**
   * {@code method path} made by {@code owner} with a JSON {@code json} body ({@code null} for none)
   * and extra {@code headers} as name, value pairs.
   */
  HttpResponse<String> send(
      String owner, String method, String path, String json, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + path));
    b.header(ServerFixture.TEST_OWNER, owner);
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.method(
        method,
        json == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    return checked(f.http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** A POST of a multipart {@code body} (see {@link #multipart}) made by {@code owner}. */
  HttpResponse<String> sendMultipart(String owner, String path, Multipart body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(f.base() + path))
            .header(ServerFixture.TEST_OWNER, owner)
            .header("Content-Type", "multipart/form-data; boundary=" + Multipart.BOUNDARY);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
    return checked(f.http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** A POST of {@code json} with {@code Prefer: respond-async}. */
  HttpResponse<String> async(String owner, String path, String json, String... headers)
      throws IOException, InterruptedException {
    String[] all = new String[headers.length + 2];
    all[0] = "Prefer";
    all[1] = "respond-async";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return send(owner, "POST", path, json, all);
  }

  /** {@link #async}, which must be a 202 image.job; the job. */
  JsonValue.Obj queued(String owner, String path, String json, String... headers)
      throws IOException, InterruptedException {
    HttpResponse<String> r = async(owner, path, json, headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return json(r);
  }

  /** Job {@code id} as {@code owner} sees it. */
  JsonValue.Obj job(String owner, String id) throws IOException, InterruptedException {
    HttpResponse<String> r = send(owner, "GET", "/v1/jobs/" + id, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r);
  }

  /** {@code owner}'s jobs (newest first) for {@code query} (e.g. {@code "?status=queued"}). */
  List<JsonValue.Obj> list(String owner, String query) throws IOException, InterruptedException {
    HttpResponse<String> r = send(owner, "GET", "/v1/jobs" + query, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).array("data").stream().map(JsonValue::asObject).toList();
  }

  /** Job {@code id} once its status is {@code status}; fails at the deadline. */
  JsonValue.Obj awaitStatus(String owner, String id, String status) throws Exception {
    JsonValue.Obj[] last = new JsonValue.Obj[1];
    await(
        "job " + id + " " + status,
        () -> {
          last[0] = job(owner, id);
          return last[0].string("status", "").equals(status);
        },
        () -> String.valueOf(last[0]));
    return last[0];
  }

  /** Job {@code id} once it ended (completed, failed or cancelled). */
  JsonValue.Obj awaitEnd(String owner, String id) throws Exception {
    JsonValue.Obj[] last = new JsonValue.Obj[1];
    await(
        "job " + id + " to end",
        () -> {
          last[0] = job(owner, id);
          return List.of("completed", "failed", "cancelled").contains(last[0].string("status", ""));
        },
        () -> String.valueOf(last[0]));
    return last[0];
  }

  /** Polls {@code condition} until it holds; fails naming {@code what} at the deadline. */
  static void await(String what, Callable<Boolean> condition) throws Exception {
    await(what, condition, () -> "");
  }

  private static void await(
      String what, Callable<Boolean> condition, java.util.function.Supplier<String> seen)
      throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; last seen: " + seen.get());
      }
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }

  /** The JSON object of {@code r}'s body (strict JSON checked). */
  static JsonValue.Obj json(HttpResponse<String> r) {
    ServerFixture.assertStrictJson(r.body());
    return Json.parse(r.body()).asObject();
  }

  /** The {@code error} object of an error answer. */
  static JsonValue.Obj error(HttpResponse<String> r) {
    return json(r).object("error").orElseThrow(() -> new AssertionError("no error: " + r.body()));
  }

  /** How many files the blob folder holds. */
  static long blobFiles(Path dataDir) throws IOException {
    Path blobs = dataDir.resolve("blobs");
    if (!Files.exists(blobs)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(blobs)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  /** A multipart/form-data body: text fields, then one PNG file part. */
  record Multipart(byte[] bytes) {
    static final String BOUNDARY = "atelier-job-test-boundary";

    static Multipart of(Map<String, String> fields, String fileField, byte[] png) {
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : fields.entrySet()) {
          out.write(
              ("--"
                      + BOUNDARY
                      + "\r\nContent-Disposition: form-data; name=\""
                      + e.getKey()
                      + "\"\r\n\r\n"
                      + e.getValue()
                      + "\r\n")
                  .getBytes(StandardCharsets.UTF_8));
        }
        out.write(
            ("--"
                    + BOUNDARY
                    + "\r\nContent-Disposition: form-data; name=\""
                    + fileField
                    + "\"; filename=\"in.png\"\r\nContent-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.write(png);
        out.write(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new Multipart(out.toByteArray());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static HttpResponse<String> checked(HttpResponse<String> r) {
    if (r.headers()
        .firstValue("Content-Type")
        .orElse("")
        .toLowerCase(java.util.Locale.ROOT)
        .startsWith("application/json")) {
      ServerFixture.assertStrictJson(r.body());
    }
    return r;
  }
}
