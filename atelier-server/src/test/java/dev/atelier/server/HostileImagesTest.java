package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sends every image of {@link HostileImages}' generated corpus through every route that takes
 * images, in multipart and in JSON (data URL and raw base64), to a server held to {@link
 * HostileImages#LIMITS}. Every answer must be a correct decode or a 4xx in OpenAI's shape naming
 * the field, within {@link #MAX_MILLIS}, with nothing stored on a refusal and the heap left no more
 * than {@link #MAX_RETAINED_BYTES} larger by each case.
 */
class HostileImagesTest {
  static final long MAX_MILLIS = 2_000;
  static final long MAX_RETAINED_BYTES = 16L << 20;

  private static Path dir;
  private static ServerFixture f;
  private static String sessionId;
  private static long worstMillis;
  private static String worstMillisCase = "";
  private static long worstRetained;
  private static String worstRetainedCase = "";
  private static int requests;

  /** Where an image goes: the field that carries it and how the route is called. */
  enum Route {
    EDIT_IMAGE("/v1/images/edits", "image", true),
    EDIT_MASK("/v1/images/edits", "mask", true),
    REFERENCE("/v1/images/generations", "references[0].image", false),
    SESSION_CREATE("/v1/sessions", "image", true),
    ROUND_MASK("/v1/sessions/{id}/rounds", "mask", true),
    VARIATIONS("/v1/images/variations", "image", true);

    final String path;
    final String field;
    final boolean multipart;

    Route(String path, String field, boolean multipart) {
      this.path = path;
      this.field = field;
      this.multipart = multipart;
    }

    boolean mask() {
      return field.equals("mask");
    }
  }

  enum Encoding {
    MULTIPART,
    DATA_URL,
    BASE64
  }

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("hostile-images");
    f = ServerFixture.withLimits(dir, HostileImages.LIMITS);
    ServerFixture.Reply s = f.post("/v1/sessions", "{\"prompt\":\"a red chair\",\"seed\":1}");
    assertThat(s.status()).as(s.body()).isEqualTo(201);
    sessionId = s.json().string("id", "");
  }

  @AfterAll
  static void stop() {
    f.close();
    System.out.printf(
        "HostileImagesTest: %d requests, slowest %d ms (%s), largest retained heap growth %d KiB"
            + " (%s)%n",
        requests, worstMillis, worstMillisCase, worstRetained >> 10, worstRetainedCase);
  }

  static Stream<HostileImages.Case> cases() {
    return HostileImages.all().stream();
  }

  @Test
  void theCorpusCoversEveryFormatAndCap() {
    assertThat(HostileImages.all())
        .extracting(HostileImages.Case::name)
        .contains(
            "png-16bit-rgb",
            "png-palette-trns",
            "png-grey-alpha",
            "jpeg-cmyk",
            "jpeg-progressive",
            "gif-animated",
            "png-interlaced",
            "png-truncated",
            "png-wrong-crc",
            "zero-bytes",
            "svg",
            "png-ihdr-100000x100000",
            "jpeg-sof-65500x65500",
            "gif-frame-65535x65535",
            "bmp-header-100000x100000",
            "webp-vp8x-max-canvas",
            "pixels-at-cap-96x96",
            "pixels-over-cap-97x96",
            "side-at-cap-256x8",
            "side-over-cap-264x8",
            "bytes-at-cap",
            "bytes-over-cap")
        .doesNotHaveDuplicates();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyRouteDecodesOrRefusesCleanly(HostileImages.Case c) throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    for (Route route : Route.values()) {
      for (Encoding encoding : Encoding.values()) {
        if (encoding == Encoding.MULTIPART && !route.multipart) {
          continue;
        }
        send(c, route, encoding);
      }
    }
    System.gc();
    long retained = memory.getHeapMemoryUsage().getUsed() - before;
    if (retained > worstRetained) {
      worstRetained = retained;
      worstRetainedCase = c.name();
    }
    assertThat(retained).as("heap retained after %s", c).isLessThan(MAX_RETAINED_BYTES);
  }

  private void send(HostileImages.Case c, Route route, Encoding encoding) throws Exception {
    String what = c.name() + " as " + route + " in " + encoding;
    Set<String> blobsBefore = f.metadata.referencedBlobs();
    long start = System.nanoTime();
    HttpResponse<String> r =
        f.http.send(request(c, route, encoding), HttpResponse.BodyHandlers.ofString());
    long millis = (System.nanoTime() - start) / 1_000_000;
    requests++;
    if (millis > worstMillis) {
      worstMillis = millis;
      worstMillisCase = what;
    }
    assertThat(millis).as("time of %s", what).isLessThan(MAX_MILLIS);
    ServerFixture.assertStrictJson(r.body());
    JsonValue.Obj json = Json.parse(r.body()).asObject();
    HostileImages.Expect expect = route == Route.REFERENCE ? c.guide() : c.edited();
    if (r.statusCode() < 300) {
      assertThat(expect)
          .as("%s answered %s", what, r.body())
          .isNotEqualTo(HostileImages.Expect.REFUSE);
      if ((route == Route.EDIT_IMAGE || route == Route.VARIATIONS)
          && c.width() % 8 == 0
          && c.height() % 8 == 0) {
        // The edit comes back at the size decoded, so the header was read right.
        assertThat(json.string("size", "")).as(what).isEqualTo(c.width() + "x" + c.height());
      }
      return;
    }
    assertThat(r.statusCode()).as("%s: %s", what, r.body()).isBetween(400, 499);
    JsonValue.Obj error = json.object("error").orElseThrow();
    assertThat(error.members().keySet()).as(what).contains("message", "type", "param", "code");
    String message = error.string("message", "");
    assertThat(f.metadata.referencedBlobs()).as("blobs after %s", what).isEqualTo(blobsBefore);
    if (route.mask() && expect == HostileImages.Expect.DECODE) {
      // A mask that decodes may still not fit: it must match the image and carry alpha.
      assertThat(error.string("param", "")).as(what).isEqualTo("mask");
      assertThat(message).as(what).containsAnyOf("alpha channel", "the image's size");
      return;
    }
    assertThat(expect)
        .as("%s refused: %s", what, r.body())
        .isNotEqualTo(HostileImages.Expect.DECODE);
    assertThat(error.string("param", "")).as(what).isEqualTo(route.field);
    if (expect == HostileImages.Expect.REFUSE) {
      assertThat(r.statusCode()).as(what).isEqualTo(c.status());
      assertThat(message).as(what).startsWith(route.field).contains(c.message());
    }
  }

  private HttpRequest request(HostileImages.Case c, Route route, Encoding encoding) {
    String path = route.path.replace("{id}", sessionId);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(f.base() + path));
    // A mask goes with an image it can match: the case's own size where it decodes.
    boolean sized = c.width() > 0 && c.edited() != HostileImages.Expect.REFUSE;
    byte[] base =
        HostileImages.png(HostileImages.rgb(sized ? c.width() : 64, sized ? c.height() : 64));
    String instruction = route == Route.ROUND_MASK ? "instruction" : "prompt";
    if (encoding == Encoding.MULTIPART) {
      Multipart m = new Multipart();
      m.text(instruction, "make it blue");
      if (route == Route.EDIT_MASK) {
        m.file("image", base);
      }
      m.file(route.field, c.bytes());
      return b.header("Content-Type", "multipart/form-data; boundary=" + Multipart.BOUNDARY)
          .POST(HttpRequest.BodyPublishers.ofByteArray(m.finish()))
          .build();
    }
    String image = encode(c.bytes(), encoding);
    String body =
        switch (route) {
          case EDIT_IMAGE, SESSION_CREATE, VARIATIONS ->
              "{\"prompt\":\"make it blue\",\"image\":\"" + image + "\"}";
          case EDIT_MASK ->
              "{\"prompt\":\"make it blue\",\"image\":\""
                  + encode(base, encoding)
                  + "\",\"mask\":\""
                  + image
                  + "\"}";
          case ROUND_MASK -> "{\"instruction\":\"make it blue\",\"mask\":\"" + image + "\"}";
          case REFERENCE ->
              "{\"prompt\":\"a chair\",\"references\":[{\"image\":\""
                  + image
                  + "\",\"role\":\"style\"}]}";
        };
    return b.header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static String encode(byte[] bytes, Encoding encoding) {
    String b64 = Base64.getEncoder().encodeToString(bytes);
    return encoding == Encoding.DATA_URL ? "data:image/png;base64," + b64 : b64;
  }

  @Test
  void manySmallImagesCannotAddUpPastTheRequestBudget() throws Exception {
    // 96x96 image, mask and reference: exactly the budget of 3 x 9216 pixels.
    String full = encode(HostileImages.png(HostileImages.rgb(96, 96)), Encoding.DATA_URL);
    String small = encode(HostileImages.png(HostileImages.rgb(8, 8)), Encoding.DATA_URL);
    String withinBudget = "{\"prompt\":\"a chair\",\"references\":" + refs(full, full, full) + "}";
    ServerFixture.Reply ok = f.post("/v1/images/generations", withinBudget);
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);

    Set<String> blobs = f.metadata.referencedBlobs();
    ServerFixture.Reply over =
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"a chair\",\"references\":" + refs(full, full, full, small) + "}");
    assertThat(over.status()).as(over.body()).isEqualTo(400);
    JsonValue.Obj error = over.json().object("error").orElseThrow();
    assertThat(error.string("param", "")).isEqualTo("references[3].image");
    assertThat(error.string("message", ""))
        .isEqualTo(
            "references[3].image: image adds 64 decoded pixels to the 27648 this request's earlier"
                + " images have, but at most 27648 are allowed per request (edit images, mask and"
                + " references together)");
    assertThat(f.metadata.referencedBlobs()).isEqualTo(blobs);
  }

  @Test
  void theImageCountCoversEditImagesMaskAndReferences() throws Exception {
    String small = encode(HostileImages.png(HostileImages.rgb(8, 8)), Encoding.BASE64);
    Multipart m = new Multipart();
    m.text("prompt", "make it blue");
    for (int i = 0; i < 5; i++) {
      m.file("image[]", Base64.getDecoder().decode(small));
    }
    HttpResponse<String> r =
        f.http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/images/edits"))
                .header("Content-Type", "multipart/form-data; boundary=" + Multipart.BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.finish()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonValue.Obj error = Json.parse(r.body()).asObject().object("error").orElseThrow();
    assertThat(error.string("param", "")).isEqualTo("image[]");
    assertThat(error.string("message", ""))
        .isEqualTo(
            "image[] is image number 5 of this request but at most 4 images are allowed per"
                + " request (edit images, mask and references together)");

    // JSON: two images, a mask and two references make five; the second reference crosses.
    String body =
        "{\"prompt\":\"p\",\"images\":[\"%s\",\"%s\"],\"mask\":\"%s\",\"references\":%s}"
            .formatted(small, small, small, refs(small, small));
    ServerFixture.Reply json = f.post("/v1/images/edits", body);
    assertThat(json.status()).as(json.body()).isEqualTo(400);
    assertThat(json.json().object("error").orElseThrow().string("param", ""))
        .isEqualTo("references[1].image");
  }

  @Test
  void aReferenceOverThePixelCapIsSubsampledToFitIt() throws Exception {
    // 97x96 is over the 9216-pixel cap; every second pixel of every second row is 49x48.
    List<byte[]> files = new java.util.ArrayList<>();
    files.add(HostileImages.png(HostileImages.rgb(97, 96)));
    files.add(
        dev.atelier.core.image.ImageCodec.encodeJpeg(
            dev.atelier.core.image.RgbImage.from(HostileImages.rgb(97, 96)), 0.9f));
    if (dev.atelier.core.image.ImageCodec.webpEncoderProblem().isEmpty()) {
      files.add(
          dev.atelier.core.image.ImageCodec.encodeWebp(
              dev.atelier.core.image.RgbImage.from(HostileImages.rgb(97, 96)), 1f));
    }
    for (byte[] file : files) {
      String ref = encode(file, Encoding.DATA_URL);
      ServerFixture.Reply r =
          f.post(
              "/v1/images/generations",
              "{\"prompt\":\"a chair\",\"references\":[{\"image\":\"" + ref + "\"}]}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      List<dev.atelier.core.Reference> sent;
      synchronized (f.engine.prompts) {
        sent = f.engine.references.get(f.engine.references.size() - 1);
      }
      assertThat(sent)
          .extracting(x -> x.image().width() + "x" + x.image().height())
          .as(dev.atelier.core.image.ImageCodec.readHeader(file).format())
          .containsExactly("49x48");
    }
  }

  /** A JSON list of style references with these images. */
  private static String refs(String... images) {
    return Stream.of(images)
        .map(i -> "{\"image\":\"" + i + "\"}")
        .collect(java.util.stream.Collectors.joining(",", "[", "]"));
  }

  /** A multipart/form-data body. */
  static final class Multipart {
    static final String BOUNDARY = "hostile-images-boundary";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void text(String name, String value) {
      out.writeBytes(
          ("--"
                  + BOUNDARY
                  + "\r\nContent-Disposition: form-data; name=\""
                  + name
                  + "\"\r\n\r\n"
                  + value
                  + "\r\n")
              .getBytes(StandardCharsets.UTF_8));
    }

    void file(String name, byte[] bytes) {
      out.writeBytes(
          ("--"
                  + BOUNDARY
                  + "\r\nContent-Disposition: form-data; name=\""
                  + name
                  + "\"; filename=\"in.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.writeBytes(bytes);
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }

    byte[] finish() {
      out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
      return out.toByteArray();
    }
  }
}
