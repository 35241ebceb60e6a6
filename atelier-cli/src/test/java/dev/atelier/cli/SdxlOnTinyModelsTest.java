package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SDXL end to end on the tiny SDXL fixtures: {@code generate} with the tiny SDXL-Turbo, and {@code
 * serve --model tiny-sdxl --model tiny-sdxl-inpaint}, whose sessions start on SDXL and whose
 * plain-words edits of a region are redrawn by the SDXL inpainting model and keep every pixel
 * outside the region.
 */
class SdxlOnTinyModelsTest {
  @TempDir Path data;
  @TempDir Path out;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void generateWithTheTinySdxlTurboMakesAPngInOneStepWithoutGuidance() throws Exception {
    AtelierCommandTest.Run r =
        AtelierCommandTest.run(
            "generate",
            "a white ceramic coffee cup",
            "--model",
            AtelierCommandTest.model("tiny-sdxl-turbo"),
            "--steps",
            "1",
            "--seed",
            "5",
            "--out",
            out.toString(),
            "--quiet");
    assertThat(r.code()).as(r.stderr()).isZero();
    byte[] png = Files.readAllBytes(out.resolve("atelier-5.png"));
    RgbImage image = ImageCodec.decode(png, ImageLimits.DEFAULT);
    assertThat(image.width()).isEqualTo(64);
    assertThat(image.height()).isEqualTo(64);
    Map<String, String> text = ImageCodec.readPngText(png);
    // A few-step model: the guidance the command line did not name is 0, not 7.5.
    assertThat(text.get("atelier"))
        .contains(
            "\"family\":\"sdxl\"",
            "\"steps\":\"1\"",
            "\"guidance\":\"0.0\"",
            "\"scheduler\":\"euler_a\"");
  }

  @Test
  void sessionsStartOnSdxlAndRegionEditsUseTheSdxlInpaintingModel() throws Exception {
    try (InProcessServe serve =
        InProcessServe.start(
            "--port",
            "0",
            "--data-dir",
            data.toString(),
            "--model",
            AtelierCommandTest.model("tiny-sdxl"),
            "--model",
            AtelierCommandTest.model("tiny-sdxl-inpaint"),
            "--grounding-model",
            AtelierCommandTest.model("tiny-clipseg"))) {
      String base = serve.base();

      JsonValue.Obj session =
          post(
              base + "/v1/sessions",
              "{\"prompt\":\"a red box on a wooden table\",\"seed\":3,\"steps\":2}",
              201);
      String id = session.string("id", "");
      JsonValue.Obj first = session.array("rounds").get(0).asObject();
      RgbImage before = fetch(first.string("image_url", ""));
      assertThat(before.width()).isEqualTo(64);
      assertThat(before.height()).isEqualTo(64);
      assertThat(provenance(base, first.string("image_id", "")).get("model"))
          .isEqualTo(new JsonValue.Str("tiny-sdxl"));

      // Plain words with the region given: columns 10..29 are redrawn, nothing else may change.
      JsonValue.Obj masked =
          post(
              base + "/v1/sessions/" + id + "/rounds",
              "{\"instruction\":\"make the box green\",\"mask\":\""
                  + columnMask(64, 64, 10, 30)
                  + "\",\"steps\":2,\"seed\":4}",
              200);
      JsonValue.Obj round = masked.object("round").orElseThrow();
      RgbImage after = fetch(round.string("image_url", ""));
      int changedInside = 0;
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          if (x >= 10 && x < 30) {
            changedInside += after.rgbAt(x, y) != before.rgbAt(x, y) ? 1 : 0;
          } else {
            assertThat(after.rgbAt(x, y))
                .as("pixel %d,%d outside the region", x, y)
                .isEqualTo(before.rgbAt(x, y));
          }
        }
      }
      assertThat(changedInside).isPositive();
      assertThat(masked.object("fidelity").orElseThrow().number("changed_outside", -1)).isZero();
      // The redraw ran on the SDXL inpainting model (loaded on this first masked edit).
      assertThat(modelState(base, "tiny-sdxl-inpaint")).isEqualTo("ready");
      assertThat(provenance(base, round.string("image_id", "")).toString())
          .contains("tiny-sdxl-inpaint");

      // Plain words found by grounding (the tiny CLIPSeg): the server reports no change outside.
      JsonValue.Obj grounded =
          post(
              base + "/v1/sessions/" + id + "/rounds",
              "{\"instruction\":\"change the red box to a green box, keep everything else"
                  + " unchanged\",\"grounding_threshold\":0.9999,\"steps\":2,\"seed\":5}",
              200);
      JsonValue.Obj fidelity = grounded.object("fidelity").orElseThrow();
      if (fidelity.number("region_fraction", -1) < 1) {
        assertThat(fidelity.number("changed_outside", -1)).as(fidelity.toString()).isZero();
      }

      // OpenAI's landscape size lands on the tiny model's scaled SDXL bucket.
      JsonValue.Obj wide =
          post(
              base + "/v1/images/generations",
              "{\"prompt\":\"a cup\",\"size\":\"1536x1024\",\"steps\":1}",
              200);
      assertThat(wide.string("size", "")).isEqualTo("80x56");
      assertThat(wide.array("warnings").toString()).contains("was made at 80x56");
    }
  }

  private JsonValue.Obj post(String url, String body, int status) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + " -> " + r.body()).isEqualTo(status);
    return Json.parse(r.body()).asObject();
  }

  private RgbImage fetch(String url) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return ImageCodec.decode(r.body(), ImageLimits.DEFAULT);
  }

  private Map<String, JsonValue> provenance(String base, String imageId) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/images/" + imageId)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.parse(r.body()).asObject().object("provenance").orElseThrow().members();
  }

  private String modelState(String base, String id) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body()).asObject().array("data").stream()
        .map(JsonValue::asObject)
        .filter(m -> m.string("id", "").equals(id))
        .findFirst()
        .orElseThrow()
        .string("state", "");
  }

  /** A PNG mask, OpenAI's convention: transparent columns [x0, x1) are edited. */
  private static String columnMask(int w, int h, int x0, int x1) throws Exception {
    BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        m.setRGB(x, y, x >= x0 && x < x1 ? 0 : 0xff000000);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(m, "png", png);
    return Base64.getEncoder().encodeToString(png.toByteArray());
  }
}
