package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.JsonValue;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OpenAI's Images API over real HTTP, with the official Java SDK as the client. */
class ImagesApiTest {
  @TempDir Path dir;
  ServerFixture f;
  OpenAIClient sdk;

  @BeforeEach
  void start() {
    f = new ServerFixture(dir);
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

  static RgbImage decode(String b64) {
    return ImageCodec.decode(Base64.getDecoder().decode(b64), ImageLimits.DEFAULT);
  }

  @Test
  void sdkGeneratesOneAndThreeImages() {
    ImagesResponse one =
        sdk.images()
            .generate(
                ImageGenerateParams.builder()
                    .model("gpt-image-1")
                    .prompt("a white ceramic coffee cup")
                    .build());
    assertThat(one.data().orElseThrow()).hasSize(1);
    RgbImage img = decode(one.data().orElseThrow().get(0).b64Json().orElseThrow());
    assertThat(img.width()).isEqualTo(64);

    ImagesResponse three =
        sdk.images()
            .generate(
                ImageGenerateParams.builder()
                    .prompt("一张俯拍的白色陶瓷咖啡杯")
                    .n(3)
                    .size(ImageGenerateParams.Size.of("128x96"))
                    .putAdditionalBodyProperty("seed", com.openai.core.JsonValue.from(7))
                    .build());
    List<com.openai.models.images.Image> data = three.data().orElseThrow();
    assertThat(data).hasSize(3);
    assertThat(decode(data.get(2).b64Json().orElseThrow()).width()).isEqualTo(128);
    assertThat(data.get(2)._additionalProperties().get("seed").toString()).isEqualTo("9");
  }

  @Test
  void urlResponsesPointAtStoredContentWithProvenance() throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"cup\",\"response_format\":\"url\",\"seed\":3}");
    assertThat(r.status()).isEqualTo(200);
    JsonValue.Obj item = r.json().array("data").get(0).asObject();
    String url = item.string("url", "");
    assertThat(url)
        .startsWith(f.base() + "/v1/images/img_")
        .matches(".*/content\\?expires=\\d+&sig=[A-Za-z0-9_-]{43}");
    byte[] png = f.bytes(url);
    assertThat(ImageCodec.decode(png, ImageLimits.DEFAULT).width()).isEqualTo(64);
    assertThat(ImageCodec.readPngText(png).get("atelier")).contains("\"seed\":\"3\"");
    ServerFixture.Reply meta = f.get("/v1/images/" + item.string("id", ""));
    assertThat(meta.json().object("provenance").orElseThrow().string("prompt", ""))
        .isEqualTo("cup");
  }

  static byte[] png(BufferedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  static BufferedImage solid(int w, int h, int rgb) {
    BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        b.setRGB(x, y, rgb);
      }
    }
    return b;
  }

  /** OpenAI mask: transparent where to edit (the left half here). */
  static BufferedImage leftHalfMask(int w, int h) {
    BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        m.setRGB(x, y, x < w / 2 ? 0x00000000 : 0xff000000);
      }
    }
    return m;
  }

  @Test
  void sdkEditWithAMaskChangesOnlyTheMaskedPixels() throws Exception {
    ImagesResponse r =
        sdk.images()
            .edit(
                ImageEditParams.builder()
                    .image(png(solid(64, 64, 0x808080)))
                    .mask(png(leftHalfMask(64, 64)))
                    .prompt("change the left half to green")
                    .build());
    RgbImage out = decode(r.data().orElseThrow().get(0).b64Json().orElseThrow());
    assertThat(out.rgbAt(40, 10)).isEqualTo(0x808080);
    assertThat(out.rgbAt(5, 10)).isNotEqualTo(0x808080);
  }

  @Test
  void sdkEditWithSeveralImagesOnTheLocalEngineIsRefusedNamingImage() throws Exception {
    int before = f.metadata.referencedBlobs().size();
    assertThatThrownBy(
            () ->
                sdk.images()
                    .edit(
                        ImageEditParams.builder()
                            .image(
                                ImageEditParams.Image.ofInputStreams(
                                    List.of(
                                        new java.io.ByteArrayInputStream(
                                            png(solid(64, 64, 0x102030))),
                                        new java.io.ByteArrayInputStream(
                                            png(solid(64, 64, 0xffffff))))))
                            .prompt("make it warmer")
                            .build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("image holds 2 images but this edit changes exactly one")
        .hasMessageContaining("references");
    assertThat(f.metadata.referencedBlobs()).hasSize(before);
  }

  @Test
  void jsonEditsTakeDataUrlsAndImageIds() throws Exception {
    String dataUrl =
        "data:image/png;base64," + Base64.getEncoder().encodeToString(png(solid(64, 64, 0x000000)));
    ServerFixture.Reply r =
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"brighter\",\"image\":\"" + dataUrl + "\",\"strength\":0.5}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String id = r.json().array("data").get(0).asObject().string("id", "");
    ServerFixture.Reply again =
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"brighter\",\"images\":[{\"image_url\":\"" + id + "\"}]}");
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(
            f.get("/v1/images/" + again.json().array("data").get(0).asObject().string("id", ""))
                .json()
                .string("id", ""))
        .startsWith("img_");
  }

  @Test
  void aDryRunWithoutGroundingOrMaskIsA400AndMakesNothing() throws Exception {
    String dataUrl =
        "data:image/png;base64," + Base64.getEncoder().encodeToString(png(solid(64, 64, 0x000000)));
    int blobs = f.metadata.referencedBlobs().size();
    assertError(
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"change the sofa to green\",\"image\":\""
                + dataUrl
                + "\",\"dry_run\":true}"),
        400,
        "dry_run",
        "needs a grounding model (serve --grounding-model) or a mask");
    assertThat(f.engine.calls.get()).isZero();
    assertThat(f.metadata.referencedBlobs()).hasSize(blobs);
  }

  @Test
  void modelsListsTheServedModel() throws Exception {
    ServerFixture.Reply r = f.get("/v1/models");
    JsonValue.Obj model = r.json().array("data").get(0).asObject();
    assertThat(model.string("id", "")).isEqualTo("fake-model");
    assertThat(model.string("engine", "")).isEqualTo("local");
    assertThat(model.bool("demo", true)).isFalse();
    assertThat(sdk.models().list().data()).extracting(m -> m.id()).containsExactly("fake-model");
  }

  @Test
  void badInputIsA4xxNamingTheFieldAndStoresNothing() throws Exception {
    int before = f.metadata.referencedBlobs().size();
    assertError(
        f.post("/v1/images/generations", "{\"prompt\":\"cup\",\"n\":11}"),
        400,
        "n",
        "n must be an integer 1..10 but was 11");
    assertError(
        f.post("/v1/images/generations", "{\"prompt\":\"\"}"),
        400,
        "prompt",
        "prompt must not be empty");
    assertError(f.post("/v1/images/generations", "{}"), 400, "prompt", "prompt is required");
    assertError(
        f.post("/v1/images/generations", "{\"prompt\":\"x\",\"n\":\"two\"}"),
        400,
        "n",
        "n must be an integer 1..10 but was \"two\"");
    assertError(
        f.post("/v1/images/generations", "{\"prompt\":\"x\",\"size\":\"65x64\"}"),
        400,
        "size",
        "size must be 'auto' or WIDTHxHEIGHT with sides multiples of 8 but was '65x64'");
    assertError(
        f.post("/v1/images/generations", "{\"prompt\":\"x\",\"size\":\"4096x4096\"}"),
        400,
        "size",
        "size sides must be at most 2048 but was 4096x4096");
    assertError(
        f.post("/v1/images/generations", "{\"prompt\":\"x\",\"quality\":\"ultra\"}"),
        400,
        "quality",
        "quality must be one of low, medium, high, auto, standard, hd but was 'ultra'");
    assertError(
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"x\",\"references\":[{\"image\":\"data:,\",\"role\":\"mood\"}]}"),
        400,
        "references[0].role",
        "references[0].role must be one of [style, subject, character, object] but was 'mood'");
    assertError(
        f.post("/v1/images/generations", "{\"prompt\": "),
        400,
        null,
        "the request body is not valid JSON");
    assertError(
        f.post("/v1/images/edits", "{\"prompt\":\"x\",\"image\":\"data:image/png;base64,%%%\"}"),
        400,
        "image",
        "image must be base64 image data but is not valid base64");
    assertError(
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"x\",\"image\":\""
                + Base64.getEncoder().encodeToString("hello, not an image".getBytes())
                + "\"}"),
        400,
        "image",
        "image: expected PNG, JPEG, GIF, BMP or WebP data");
    String img = Base64.getEncoder().encodeToString(png(solid(64, 64, 0)));
    String wrongMask = Base64.getEncoder().encodeToString(png(leftHalfMask(32, 32)));
    assertError(
        f.post(
            "/v1/images/edits",
            "{\"prompt\":\"x\",\"image\":\"" + img + "\",\"mask\":\"" + wrongMask + "\"}"),
        400,
        "mask",
        "mask must have the image's size 64x64 but is 32x32");
    assertError(
        f.post(
            "/v1/images/edits", "{\"prompt\":\"x\",\"image\":\"img_doesnotexist0000000000000\"}"),
        404,
        "image",
        "no image with id");
    assertError(f.get("/v1/images/img_nope"), 404, "id", "no image with id 'img_nope'");
    assertError(f.get("/v1/sessions/ses_nope"), 404, "session", "no session with id 'ses_nope'");
    assertError(
        f.post("/v1/images/edits", "{\"prompt\":\"x\"}"), 400, "image", "image is required");
    assertThat(f.metadata.referencedBlobs()).hasSize(before);
    assertThatThrownBy(
            () -> sdk.images().generate(ImageGenerateParams.builder().prompt("x").n(12).build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("n must be an integer 1..10 but was 12");
  }

  @Test
  void aHeaderClaimingGigapixelsIsRefusedBeforeDecoding() throws Exception {
    byte[] bomb = pngHeaderOnly(100_000, 100_000);
    String b64 = Base64.getEncoder().encodeToString(bomb);
    assertError(
        f.post("/v1/images/edits", "{\"prompt\":\"x\",\"image\":\"" + b64 + "\"}"),
        400,
        "image",
        "pixels but at most 8294400 are allowed per image");
  }

  @Test
  void anImageOver50MegabytesIsA413() throws Exception {
    byte[] big = new byte[50 * 1024 * 1024 + 10];
    big[0] = (byte) 0x89;
    String b64 = Base64.getEncoder().encodeToString(big);
    ServerFixture.Reply r =
        f.post("/v1/images/edits", "{\"prompt\":\"x\",\"image\":\"" + b64 + "\"}");
    assertError(
        r,
        413,
        "image",
        "image is 52428810 bytes but at most 52428800 bytes are allowed per image");
  }

  static byte[] pngHeaderOnly(int w, int h) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 25);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    b.putInt(13)
        .put("IHDR".getBytes())
        .putInt(w)
        .putInt(h)
        .put((byte) 8)
        .put((byte) 2)
        .put((byte) 0)
        .put((byte) 0)
        .put((byte) 0);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(b.array(), 12, 17);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  static void assertError(ServerFixture.Reply r, int status, String param, String messagePart) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonValue.Obj err = r.json().object("error").orElseThrow();
    assertThat(err.string("message", "")).contains(messagePart);
    assertThat(err.string("type", "")).isNotEmpty();
    assertThat(err.members()).containsKeys("message", "type", "param", "code");
    if (param != null) {
      assertThat(err.string("param", "")).isEqualTo(param);
    }
  }
}
