package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atelier.server.http.Endpoint;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends random malformed JSON and multipart bodies to every route that takes a body and holds each
 * answer to one invariant: never a 5xx; a 4xx is strict JSON in OpenAI's error shape, names the
 * field it was given when the case broke one field, and stores nothing.
 *
 * <p>The cases come from a {@link Random} with a fixed seed, printed in every failure; rerun one
 * with {@code -Datelier.fuzz.seed=N} (a different seed explores other cases). A plain generator
 * rather than jqwik keeps the build free of another test engine and its JUnit platform version.
 */
class MalformedBodiesTest {
  static final long SEED = Long.getLong("atelier.fuzz.seed", 20261206L);

  /** Strict Jackson: no NaN, no comments, no trailing tokens. */
  static final ObjectMapper STRICT =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @TempDir static Path dir;
  static ServerFixture f;
  static String sessionId;
  static String roundId;
  static String image;
  static byte[] png;

  /** Values of the wrong type, out of range or hostile, for any field (JSON text). */
  static final List<String> WRONG =
      List.of(
          "[]",
          "{}",
          "\"\"",
          "\"x\"",
          "1.5",
          "-1",
          "0",
          "true",
          "1e999999",
          "-1e999999",
          "1e400",
          "9".repeat(100),
          "9".repeat(400),
          "12345678901234567890",
          "-0",
          "1.0",
          "1e-999999",
          "NaN",
          "Infinity",
          "-Infinity",
          "\"\\ud800\"",
          "\"x\\udc00y\"",
          "\"\\u0000\"",
          "[[[[[[1]]]]]]",
          "{\"a\":{\"b\":[1,{}]}}",
          "[\"x\",1,null]",
          "\"" + "y".repeat(40_000) + "\"",
          "[" + "[".repeat(200) + "]".repeat(200) + "]",
          "01",
          "1.",
          "\"img_nope\"",
          "\"data:image/png;base64,AAAA\"",
          "\"data:image/png;base64,!!!\"",
          "{\"image_url\":{\"url\":7}}");

  record Case(String name, String path, String contentType, byte[] body, String field) {
    String shown() {
      String s = new String(body, 0, Math.min(body.length, 160), StandardCharsets.ISO_8859_1);
      return s.replaceAll("[^\\x20-\\x7e]", "?") + (body.length > 160 ? "..." : "");
    }
  }

  @BeforeAll
  static void start() throws Exception {
    f = new ServerFixture(dir);
    png = ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x405060));
    image = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    ServerFixture.Reply s = f.post("/v1/sessions", "{\"prompt\":\"a cup on a table\"}");
    assertThat(s.status()).as(s.body()).isEqualTo(201);
    sessionId = s.json().string("id", "");
    roundId = s.json().array("rounds").get(0).asObject().string("id", "");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /** A body each route accepts, so that a case that breaks one field is refused for that field. */
  static Map<String, String> valid(Endpoint e) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (e) {
      case GENERATIONS, SESSION_CREATE -> m.put("prompt", "\"a cup\"");
      case EDITS -> {
        m.put("prompt", "\"make the cup red\"");
        m.put("image", "\"" + image + "\"");
        m.put("strength", "0.5");
      }
      case VARIATIONS -> m.put("image", "\"" + image + "\"");
      case SESSION_ROUND -> {
        m.put("instruction", "\"make the cup red\"");
        m.put("strength", "0.5");
      }
      case SESSION_RESTART -> m.put("dry_run", "true");
      case SESSION_CHECKOUT -> m.put("round_id", "\"" + roundId + "\"");
      case EDIT_PLAN -> m.put("instruction", "\"make the cup red\"");
      case EDIT_COMPOSE -> {
        m.put("what", "\"cup\"");
        m.put("to", "\"red\"");
      }
    }
    return m;
  }

  static String path(Endpoint e) {
    return e.path().replace("{id}", sessionId);
  }

  static String json(Map<String, String> members) {
    StringBuilder sb = new StringBuilder("{");
    members.forEach(
        (k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":" + v));
    return sb.append('}').toString();
  }

  static Case jsonCase(String name, Endpoint e, String body, String field) {
    return jsonCase(name, e, body.getBytes(StandardCharsets.UTF_8), field);
  }

  static Case jsonCase(String name, Endpoint e, byte[] body, String field) {
    return new Case(e.name() + " " + name, path(e), "application/json", body, field);
  }

  @TestFactory
  Stream<DynamicTest> malformedJsonOnEveryRoute() {
    Random rnd = new Random(SEED);
    List<Case> cases = new ArrayList<>();
    for (Endpoint e : Endpoint.values()) {
      Map<String, String> base = valid(e);
      // every field of the route with two wrong values, the rest of the body valid
      for (String field : e.fields()) {
        for (int i = 0; i < 2; i++) {
          String v = WRONG.get(rnd.nextInt(WRONG.size()));
          Map<String, String> m = new LinkedHashMap<>(base);
          m.put(field, v);
          String shown = v.length() > 24 ? v.substring(0, 24) + "..." : v;
          cases.add(jsonCase(field + "=" + shown, e, json(m), field));
        }
      }
      String full = json(base);
      for (int i = 0; i < 3; i++) {
        int cut = 1 + rnd.nextInt(full.length() - 1);
        cases.add(jsonCase("truncated at " + cut, e, full.substring(0, cut), null));
      }
      cases.add(jsonCase("100000 [", e, "[".repeat(100_000), ""));
      cases.add(jsonCase("100000 {\"a\":", e, "{\"a\":".repeat(100_000), "a"));
      String deepField = e.fields().iterator().next();
      Map<String, String> deep = new LinkedHashMap<>(base);
      deep.put(deepField, "[".repeat(5_000) + "]".repeat(5_000));
      cases.add(jsonCase("5000 deep in " + deepField, e, json(deep), deepField));
      Map<String, String> dup = new LinkedHashMap<>(base);
      String first = base.keySet().iterator().next();
      cases.add(
          jsonCase(
              "duplicate " + first,
              e,
              json(dup).replaceFirst("\\}$", ",\"" + first + "\":" + base.get(first) + "}"),
              ""));
      for (String top : List.of("[]", "\"x\"", "1", "null", "true", "[{}]", "1e999999", "{}x")) {
        cases.add(jsonCase("top " + top, e, top, ""));
      }
      String text =
          base.keySet().stream().filter(k -> base.get(k).startsWith("\"")).findFirst().orElse(null);
      if (text != null && !text.equals("image") && !text.equals("round_id")) {
        for (String s : List.of("\\ud800", "\\udfff", "a\\ud83dz", "\\udc00\\ud800")) {
          Map<String, String> m = new LinkedHashMap<>(base);
          m.put(text, "\"make " + s + " red\"");
          cases.add(jsonCase(text + " with lone surrogate " + s, e, json(m), text));
        }
      }
      for (byte[] bad :
          List.of(
              new byte[] {(byte) 0xff, (byte) 0xfe},
              new byte[] {(byte) 0xc3, 0x28},
              new byte[] {(byte) 0xc0, (byte) 0xaf},
              new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
              new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80})) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String key = text == null ? "x" : text;
        out.writeBytes(("{\"" + key + "\":\"make ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bad);
        out.writeBytes(" red\"}".getBytes(StandardCharsets.UTF_8));
        cases.add(jsonCase("invalid UTF-8 " + hex(bad), e, out.toByteArray(), null));
      }
      for (int i = 0; i < 4; i++) {
        byte[] noise = new byte[rnd.nextInt(300)];
        rnd.nextBytes(noise);
        cases.add(jsonCase("random bytes #" + i, e, noise, null));
        cases.add(jsonCase("random tokens #" + i, e, tokens(rnd), null));
      }
      cases.add(
          new Case(
              e.name() + " JSON as text/plain",
              path(e),
              "text/plain",
              "{\"n\":1e999999}".getBytes(StandardCharsets.UTF_8),
              null));
    }
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  @TestFactory
  Stream<DynamicTest> malformedMultipartOnEveryMultipartRoute() {
    Random rnd = new Random(SEED + 1);
    List<Case> cases = new ArrayList<>();
    for (String p :
        List.of(
            "/v1/images/edits",
            "/v1/images/variations",
            "/v1/sessions",
            "/v1/sessions/" + sessionId + "/rounds")) {
      String b = "atelier-fuzz-" + Long.toHexString(rnd.nextLong());
      String ok = "multipart/form-data; boundary=" + b;
      byte[] valid =
          multipart(b, List.of(file("image", png), text("prompt", "make the cup red")), true);
      cases.add(new Case(p + " no boundary", p, "multipart/form-data", valid, null));
      cases.add(new Case(p + " empty boundary", p, "multipart/form-data; boundary=", valid, null));
      cases.add(
          new Case(p + " other boundary", p, "multipart/form-data; boundary=nope", valid, null));
      cases.add(new Case(p + " empty body", p, ok, new byte[0], null));
      cases.add(new Case(p + " no closing boundary", p, ok, multipart(b, List.of(), false), null));
      cases.add(
          new Case(
              p + " truncated",
              p,
              ok,
              java.util.Arrays.copyOf(valid, 1 + rnd.nextInt(valid.length - 1)),
              null));
      byte[] noise = new byte[1 + rnd.nextInt(400)];
      rnd.nextBytes(noise);
      cases.add(new Case(p + " random bytes", p, ok, noise, null));
      cases.add(
          new Case(
              p + " garbage image part",
              p,
              ok,
              multipart(b, List.of(file("image", noise), text("prompt", "x")), true),
              "image"));
      cases.add(
          new Case(
              p + " empty image part",
              p,
              ok,
              multipart(b, List.of(file("image", new byte[0]), text("prompt", "x")), true),
              "image"));
      cases.add(
          new Case(
              p + " empty mask part",
              p,
              ok,
              multipart(
                  b,
                  List.of(file("image", png), file("mask", new byte[0]), text("prompt", "x")),
                  true),
              null));
      cases.add(
          new Case(
              p + " part without name",
              p,
              ok,
              multipart(b, List.of("Content-Disposition: form-data\r\n\r\nx"), true),
              null));
      cases.add(
          new Case(
              p + " part without headers",
              p,
              ok,
              multipart(b, List.of("\r\nx", "\r\n"), true),
              null));
      cases.add(
          new Case(
              p + " LF only",
              p,
              ok,
              new String(valid, StandardCharsets.ISO_8859_1)
                  .replace("\r\n", "\n")
                  .getBytes(StandardCharsets.ISO_8859_1),
              null));
      cases.add(new Case(p + " multipart/mixed", p, "multipart/mixed; boundary=" + b, valid, null));
      cases.add(new Case(p + " image/png body", p, "image/png", png, null));
      cases.add(new Case(p + " octet-stream", p, "application/octet-stream", noise, null));
      cases.add(
          new Case(
              p + " urlencoded",
              p,
              "application/x-www-form-urlencoded",
              "prompt=x&n=%ZZ".getBytes(StandardCharsets.US_ASCII),
              null));
      for (String field :
          List.of("n", "seed", "steps", "strength", "size", "guidance", "mask_mode")) {
        for (String v :
            List.of("abc", "1e400", "9".repeat(100), "-0", "NaN", "", "1.5", "\u0000", "\ud800x")) {
          if (rnd.nextInt(3) != 0) {
            continue; // a third of the grid per seed
          }
          cases.add(
              new Case(
                  p + " form " + field + "=" + (v.length() > 12 ? v.substring(0, 12) : v),
                  p,
                  ok,
                  multipart(
                      b,
                      List.of(file("image", png), text("prompt", "make it red"), text(field, v)),
                      true),
                  null));
        }
      }
    }
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  static String file(String name, byte[] bytes) {
    return "Content-Disposition: form-data; name=\""
        + name
        + "\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
        + new String(bytes, StandardCharsets.ISO_8859_1);
  }

  static String text(String name, String value) {
    return "Content-Disposition: form-data; name=\""
        + name
        + "\"\r\n\r\n"
        + new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /** Parts (headers, blank line, content, each as ISO-8859-1 text) between boundaries. */
  static byte[] multipart(String boundary, List<String> parts, boolean close) {
    StringBuilder sb = new StringBuilder();
    for (String part : parts) {
      sb.append("--").append(boundary).append("\r\n").append(part).append("\r\n");
    }
    if (close) {
      sb.append("--").append(boundary).append("--\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] tokens(Random rnd) {
    String[] t = {
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      "\"n\"",
      "\"prompt\"",
      "1",
      "-",
      "e",
      "\"",
      "\\",
      "null",
      "tru",
      "NaN",
      " ",
      "\"\\u12\"",
      "0.",
      "1e999999"
    };
    StringBuilder sb = new StringBuilder();
    int k = rnd.nextInt(40);
    for (int i = 0; i < k; i++) {
      sb.append(t[rnd.nextInt(t.length)]);
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }

  static void check(Case c) throws Exception {
    int blobs = f.metadata.referencedBlobs().size();
    HttpResponse<String> r;
    // A client per case: a refusal answered before the body was read closes the connection, and
    // a pooled connection would carry the next case into that closed socket.
    try (HttpClient http = HttpClient.newHttpClient()) {
      r =
          http.send(
              HttpRequest.newBuilder(URI.create(f.base() + c.path()))
                  .header("Content-Type", c.contentType())
                  .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    }
    String why =
        "seed "
            + SEED
            + " (-Datelier.fuzz.seed="
            + SEED
            + "), case '"
            + c.name()
            + "', body "
            + c.shown()
            + " -> "
            + r.statusCode()
            + " "
            + r.body();
    assertThat(r.statusCode()).as(why).isLessThan(500);
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (r.statusCode() < 400) {
      if (type.startsWith("application/json")) {
        STRICT.readTree(r.body());
      }
      return;
    }
    assertThat(type).as(why).startsWith("application/json");
    JsonNode root;
    try {
      root = STRICT.readTree(r.body());
    } catch (java.io.IOException e) {
      throw new AssertionError("not strict JSON: " + why, e);
    }
    assertThat(root.isObject() && root.size() == 1 && root.get("error").isObject())
        .as(why)
        .isTrue();
    JsonNode err = root.get("error");
    assertThat(err.get("message")).as(why).isNotNull();
    assertThat(err.get("message").isTextual() && !err.get("message").asText().isBlank())
        .as(why)
        .isTrue();
    assertThat(err.get("type").isTextual()).as(why).isTrue();
    assertThat(err.has("param") && (err.get("param").isNull() || err.get("param").isTextual()))
        .as(why)
        .isTrue();
    assertThat(err.has("code") && (err.get("code").isNull() || err.get("code").isTextual()))
        .as(why)
        .isTrue();
    assertThat(f.metadata.referencedBlobs()).as("nothing stored: " + why).hasSize(blobs);
    if (c.field() != null && r.statusCode() == 400) {
      String param = err.get("param").isNull() ? "" : err.get("param").asText();
      if (c.field().isEmpty()) {
        assertThat(param).as("a whole-body refusal names no field: " + why).isEmpty();
      } else {
        assertThat(
                param.equals(c.field())
                    || param.startsWith(c.field() + "[")
                    || param.startsWith(c.field() + "."))
            .as("the refusal names " + c.field() + ": " + why)
            .isTrue();
      }
    }
  }
}
