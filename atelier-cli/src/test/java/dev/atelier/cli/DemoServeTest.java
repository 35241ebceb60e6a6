package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code atelier serve --demo}: the bundled tiny models, driven by the official OpenAI SDK. */
class DemoServeTest {
  @TempDir Path data;

  @Test
  void demoServesGenerationsAndEditsUnderTheNameDemo() throws Exception {
    ServeCommand serve = new ServeCommand();
    CommandLine cli = new CommandLine(serve);
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    Thread t =
        new Thread(
            () -> cli.execute("--demo", "--port", "0", "--data-dir", data.toString()),
            "serve-demo-under-test");
    t.start();
    try {
      assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(out + "\n" + err).isTrue();
      int port = serve.server.port();
      String base = "http://127.0.0.1:" + port;
      assertThat(out.toString())
          .contains("studio:     " + base + "/")
          .contains("API:        " + base + "/v1")
          .contains("model:      demo (tiny-sd")
          .contains("engine:     local (ONNX Runtime")
          .contains("grounding:  CLIPSeg")
          .contains("data:       " + data.toAbsolutePath());
      assertThat(data.resolve("demo-models/tiny-sd/model_index.json")).isRegularFile();
      assertThat(data.resolve("demo-models/tiny-sd-inpaint/unet/model.onnx")).isRegularFile();
      assertThat(data.resolve("demo-models/tiny-clipseg/model.onnx")).isRegularFile();

      OpenAIClient sdk =
          OpenAIOkHttpClient.builder().apiKey("local").baseUrl(base + "/v1").maxRetries(0).build();
      try {
        assertThat(sdk.models().list().data())
            .extracting(m -> m.id())
            .containsExactly("demo", "demo-inpaint");
        assertThat(states(base)).containsExactly("ready", "not_loaded");

        ImagesResponse generated =
            sdk.images()
                .generate(
                    ImageGenerateParams.builder()
                        .prompt("a white ceramic coffee cup on a dark wooden table")
                        .putAdditionalBodyProperty("steps", com.openai.core.JsonValue.from(2))
                        .putAdditionalBodyProperty("seed", com.openai.core.JsonValue.from(7))
                        .build());
        byte[] cup =
            Base64.getDecoder()
                .decode(generated.data().orElseThrow().get(0).b64Json().orElseThrow());
        RgbImage image = ImageCodec.decode(cup, ImageLimits.DEFAULT);
        assertThat(image.width()).isEqualTo(64);
        // usage is counted by the demo model's CLIP tokenizer and OpenAI's image token formula.
        var usage = generated.usage().orElseThrow();
        assertThat(usage.inputTokensDetails().textTokens()).isPositive();
        assertThat(usage.outputTokens()).isEqualTo(6);

        // A mask edit runs on the 9-channel inpainting model; pixels outside the mask are kept.
        ImagesResponse masked =
            sdk.images()
                .edit(
                    ImageEditParams.builder()
                        .image(cup)
                        .mask(png(leftHalfTransparent(64, 64)))
                        .prompt("make the cup red")
                        .putAdditionalBodyProperty("steps", com.openai.core.JsonValue.from(2))
                        .build());
        RgbImage edited =
            ImageCodec.decode(
                Base64.getDecoder()
                    .decode(masked.data().orElseThrow().get(0).b64Json().orElseThrow()),
                ImageLimits.DEFAULT);
        assertThat(edited.rgbAt(60, 30)).isEqualTo(image.rgbAt(60, 30));
        // The request ran on the default model, whose masked redraws the inpainting model makes.
        assertThat(masked._additionalProperties().get("model"))
            .isEqualTo(com.openai.core.JsonValue.from("demo"));
        assertThat(states(base))
            .as("the mask edit loaded demo-inpaint")
            .containsExactly("ready", "ready");

        // Without a mask the grounding model finds the region from the words.
        ImagesResponse plain =
            sdk.images()
                .edit(
                    ImageEditParams.builder()
                        .image(cup)
                        .prompt("make the cup red")
                        .putAdditionalBodyProperty("steps", com.openai.core.JsonValue.from(2))
                        .build());
        assertThat(plain.data().orElseThrow()).hasSize(1);
        assertThat(plain._additionalProperties().toString()).contains("fidelity");

        // A whole-image restyle is image-to-image: it stays on the text-to-image model.
        ImagesResponse restyled =
            sdk.images()
                .edit(
                    ImageEditParams.builder()
                        .image(cup)
                        .prompt("make it a watercolor painting")
                        .putAdditionalBodyProperty("steps", com.openai.core.JsonValue.from(2))
                        .build());
        assertThat(restyled.data().orElseThrow()).hasSize(1);
      } finally {
        sdk.close();
      }
      assertThat(err.toString()).doesNotContain("Exception");
    } finally {
      serve.stop.countDown();
      t.join(30_000);
    }
  }

  @Test
  void serveListensWhileTheModelLoadsAndReadyzTurnsReady() throws Exception {
    ServeCommand serve = new ServeCommand();
    serve.loadGate = new java.util.concurrent.CountDownLatch(1);
    CommandLine cli = new CommandLine(serve);
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    Thread t =
        new Thread(
            () -> cli.execute("--demo", "--port", "0", "--data-dir", data.toString()),
            "serve-readyz-under-test");
    t.start();
    try {
      assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(out.toString()).isTrue();
      String base = "http://127.0.0.1:" + serve.server.port();
      assertThat(out.toString()).contains("ops:        " + base + "/readyz");
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpResponse<String> loading = get(http, base + "/readyz");
      assertThat(loading.statusCode()).isEqualTo(503);
      assertThat(loading.body())
          .startsWith("{\"status\":\"not_ready\"")
          .contains("\"model\":{\"status\":\"loading\",\"progress\":0,\"detail\":\"loading demo\"}")
          .contains(
              "\"models\":[{\"id\":\"demo\",\"kind\":\"text-to-image\",\"default\":true,"
                  + "\"state\":\"loading\",\"progress\":0,\"detail\":\"loading demo\"},"
                  + "{\"id\":\"demo-inpaint\",\"kind\":\"inpainting\",\"default\":false,"
                  + "\"state\":\"not_loaded\",\"progress\":0,\"detail\":\"\"}]");
      assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);

      serve.loadGate.countDown();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      java.net.http.HttpResponse<String> ready = get(http, base + "/readyz");
      while (ready.statusCode() != 200 && System.nanoTime() < end) {
        Thread.onSpinWait();
        ready = get(http, base + "/readyz");
      }
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(ready.body()).contains("\"model\":{\"status\":\"ready\"}");
      var models = dev.atelier.core.json.Json.parse(ready.body()).asObject().array("models");
      assertThat(models)
          .extracting(m -> m.asObject().string("id", "") + " " + m.asObject().string("state", ""))
          .containsExactly("demo ready", "demo-inpaint not_loaded");
      assertThat(get(http, base + "/metrics").body())
          .containsPattern("(?m)^atelier_model_load_seconds\\{model=\"demo\"} [0-9.eE-]+$")
          .contains("atelier_model_loads_total{model=\"demo\"} 1.0")
          .doesNotContain("atelier_model_load_seconds{model=\"demo\"} 0.0");
    } finally {
      serve.loadGate.countDown();
      serve.stop.countDown();
      t.join(30_000);
    }
  }

  @Test
  void aModelThatFailsToLoadAfterListeningEndsServeWithExitCode3() throws Exception {
    // Configs enough to name the model and its size, but no graphs: loading fails after listening.
    Path model = data.resolve("broken-model");
    Files.createDirectories(model.resolve("vae_decoder"));
    Files.createDirectories(model.resolve("unet"));
    Files.writeString(model.resolve("vae_decoder/config.json"), "{\"block_out_channels\":[1,2]}");
    Files.writeString(model.resolve("unet/config.json"), "{\"sample_size\":32}");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        AtelierCommand.execute(
            new String[] {
              "serve", "--model", model.toString(), "--port", "0", "--data-dir", data.toString()
            },
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    assertThat(code).as(out + "\n" + err).isEqualTo(3);
    assertThat(out.toString()).contains("model:      broken-model");
    assertThat(err.toString()).startsWith("atelier serve: ").contains("broken-model");
  }

  /** Each served model's {@code state} on {@code /v1/models}, the default first. */
  private static java.util.List<String> states(String base) throws Exception {
    String body = get(java.net.http.HttpClient.newHttpClient(), base + "/v1/models").body();
    return dev.atelier.core.json.Json.parse(body).asObject().array("data").stream()
        .map(m -> m.asObject().string("state", ""))
        .toList();
  }

  private static java.net.http.HttpResponse<String> get(java.net.http.HttpClient http, String url)
      throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void demoModelsAreExtractedOnceAndReplacedWhenDamaged() throws Exception {
    DemoModels first = DemoModels.extract(data);
    Path unet = first.textToImage().resolve("unet/model.onnx");
    long size = Files.size(unet);
    java.nio.file.attribute.FileTime stamp = Files.getLastModifiedTime(unet);

    DemoModels.extract(data);
    assertThat(Files.getLastModifiedTime(unet)).isEqualTo(stamp);

    Files.write(unet, new byte[] {1, 2, 3});
    DemoModels.extract(data);
    assertThat(Files.size(unet)).isEqualTo(size);
  }

  @Test
  void demoAndModelTogetherAreRefused() {
    AtelierCommandTest.Run r =
        AtelierCommandTest.run(
            "serve", "--demo", "--model", "some/model", "--data-dir", data.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.stderr()).contains("--demo and --model exclude each other");
  }

  private static byte[] png(BufferedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** OpenAI's mask convention: transparent where to edit (the left half). */
  private static BufferedImage leftHalfTransparent(int w, int h) {
    BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        m.setRGB(x, y, x < w / 2 ? 0x00000000 : 0xff000000);
      }
    }
    return m;
  }
}
