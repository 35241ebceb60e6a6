package dev.atelier.server;

import static dev.atelier.server.ImagesApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImagesResponse;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output formats (png with its parameters text, jpeg, webp) and WebP uploads, over real HTTP. */
class ImageFormatsApiTest {
  @TempDir Path dir;
  ServerFixture f;

  @BeforeEach
  void start() {
    f = new ServerFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void pngsCarryTheA1111ParametersTextAsTheCliWritesIt() throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/images/generations",
            """
            {"prompt":"a white ceramic cup","negative_prompt":"blurry","steps":12,\
            "guidance":6.5,"seed":1234,"scheduler":"euler_a","size":"96x64"}""");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    byte[] png = content(r);

    Map<String, String> text = ImageCodec.readPngText(png);

    assertThat(text.get("parameters"))
        .isEqualTo(
            "a white ceramic cup\nNegative prompt: blurry\nSteps: 12, Sampler: euler_a, CFG"
                + " scale: 6.5, Seed: 1234, Size: 96x64, Model: fake-model");
    assertThat(text).containsKeys("atelier", "Software");
    assertThat(text.get("atelier")).contains("\"seed\":\"1234\"");
  }

  @Test
  void webpAtTheDefaultCompressionIsLosslessAndServedAsImageWebp() throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"a cup\",\"seed\":3,\"size\":\"96x64\",\"output_format\":\"webp\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    byte[] b64 = b64(r);
    assertThat(r.json().string("output_format", "")).isEqualTo("webp");
    assertThat(new String(b64, 0, 4, StandardCharsets.ISO_8859_1)).isEqualTo("RIFF");
    assertThat(new String(b64, 8, 8, StandardCharsets.ISO_8859_1)).isEqualTo("WEBPVP8L");

    HttpResponse<byte[]> content = get(contentUrl(r));
    assertThat(content.headers().firstValue("Content-Type")).hasValue("image/webp");
    assertThat(content.body()).isEqualTo(b64);

    // Lossless: the same pixels as the PNG of the same request.
    ServerFixture.Reply asPng =
        f.post("/v1/images/generations", "{\"prompt\":\"a cup\",\"seed\":3,\"size\":\"96x64\"}");
    assertThat(decode(b64)).isEqualTo(decode(b64(asPng)));
  }

  @Test
  void webpBelowCompression100IsLossyAndSmallerAtLowerValues() throws Exception {
    // The fake engine's edits keep the input's detail (it adds 17 to every byte), so a noisy
    // input gives the encoder something to trade away.
    byte[] high = b64(editNoise("webp", 90));
    byte[] low = b64(editNoise("webp", 10));

    assertThat(new String(high, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("VP8 ");
    assertThat(low.length).isLessThan(high.length * 3 / 4);
  }

  @Test
  void jpegHonoursOutputCompressionAsQuality() throws Exception {
    byte[] best = b64(editNoise("jpeg", 100));
    byte[] small = b64(editNoise("jpeg", 20));

    assertThat(best[0] & 0xff).isEqualTo(0xff);
    assertThat(small.length).isLessThan(best.length / 2);
    assertThat(get(contentUrl(generate("jpeg", 50))).headers().firstValue("Content-Type"))
        .hasValue("image/jpeg");
  }

  @Test
  void editsAcceptAWebpUploadAsADataUrl() throws Exception {
    String dataUrl =
        "data:image/webp;base64," + Base64.getEncoder().encodeToString(fixture("lossy-alpha.webp"));
    ServerFixture.Reply r =
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"brighter\",\"image\":\"" + dataUrl + "\",\"strength\":0.5}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);

    RgbImage out = decode(b64(r));
    assertThat(out.width()).isEqualTo(32);
    assertThat(out.height()).isEqualTo(24);
    // The fake engine adds 17 to every byte of the input: (220, 40, 90) + 17, give or take lossy.
    int red = (out.rgbAt(11, 5) >> 16) & 0xff;
    assertThat(red).isBetween(225, 245);
  }

  @Test
  void sdkMultipartEditsAcceptWebp() throws Exception {
    OpenAIClient sdk =
        OpenAIOkHttpClient.builder()
            .apiKey("sk-local")
            .baseUrl(f.base() + "/v1")
            .maxRetries(0)
            .build();
    try {
      ImagesResponse r =
          sdk.images()
              .edit(
                  ImageEditParams.builder()
                      .image(fixture("lossy-alpha.webp"))
                      .prompt("make it warmer")
                      .build());
      RgbImage out = ImagesApiTest.decode(r.data().orElseThrow().get(0).b64Json().orElseThrow());
      assertThat(out.width()).isEqualTo(32);
    } finally {
      sdk.close();
    }
  }

  @Test
  void aWebpHeaderClaimingTooManyPixelsIsRefusedBeforeDecoding() throws Exception {
    // RIFF/WEBP with one VP8L chunk: signature, then 14 + 14 bits of (side - 1) = 16384 x 16384.
    byte[] bomb = {
      'R',
      'I',
      'F',
      'F',
      17,
      0,
      0,
      0,
      'W',
      'E',
      'B',
      'P',
      'V',
      'P',
      '8',
      'L',
      5,
      0,
      0,
      0,
      0x2f,
      (byte) 0xff,
      (byte) 0xff,
      (byte) 0xff,
      0x0f,
      0
    };
    String b64 = Base64.getEncoder().encodeToString(bomb);
    assertError(
        f.post("/v1/images/edits", "{\"prompt\":\"x\",\"image\":\"" + b64 + "\"}"),
        400,
        "image",
        "image is 16384x16384 = 268435456 pixels but at most 8294400 are allowed per image");
    assertThat(f.engine.calls.get()).isZero();
  }

  private ServerFixture.Reply editNoise(String format, int compression) throws Exception {
    java.awt.image.BufferedImage noise =
        new java.awt.image.BufferedImage(128, 128, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(11);
    for (int y = 0; y < 128; y++) {
      for (int x = 0; x < 128; x++) {
        noise.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    String dataUrl =
        "data:image/png;base64," + Base64.getEncoder().encodeToString(ImagesApiTest.png(noise));
    ServerFixture.Reply r =
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"x\",\"image\":\""
                + dataUrl
                + "\",\"output_format\":\""
                + format
                + "\",\"output_compression\":"
                + compression
                + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r;
  }

  private ServerFixture.Reply generate(String format, int compression) throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"a cup\",\"seed\":5,\"size\":\"128x128\",\"output_format\":\""
                + format
                + "\",\"output_compression\":"
                + compression
                + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r;
  }

  private byte[] content(ServerFixture.Reply r) throws Exception {
    return get(contentUrl(r)).body();
  }

  private String contentUrl(ServerFixture.Reply r) {
    return f.base()
        + "/v1/images/"
        + r.json().array("data").get(0).asObject().string("id", "")
        + "/content";
  }

  private HttpResponse<byte[]> get(String url) throws IOException, InterruptedException {
    return f.http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] b64(ServerFixture.Reply r) {
    return Base64.getDecoder()
        .decode(r.json().array("data").get(0).asObject().string("b64_json", ""));
  }

  private static RgbImage decode(byte[] bytes) {
    return ImageCodec.decode(bytes, ImageLimits.DEFAULT);
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = ImageFormatsApiTest.class.getResourceAsStream("/webp/" + name)) {
      return in.readAllBytes();
    }
  }
}
