package dev.atelier.engine.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.StepProgress;
import dev.atelier.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class GenerateTest extends UpstreamTestSupport {

  @Test
  void postsOpenAisJsonWithTheHeaders() throws Exception {
    server.enqueue(json(200, imagesJson(usage(20, 4160, 20, 0), 0xff0000, 0x00ff00)));
    OpenAiEngine engine = engine(config().organization("org-1").project("proj_2").build());

    engine.generate(generation(2, 16), ProgressListener.NONE, CancellationToken.none());

    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getTarget()).isEqualTo("/v1/images/generations");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(r.getHeaders().get("OpenAI-Organization")).isEqualTo("org-1");
    assertThat(r.getHeaders().get("OpenAI-Project")).isEqualTo("proj_2");
    assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/json");
    assertThat(r.getHeaders().get("Accept")).isEqualTo("application/json");
    assertThat(r.getBody().utf8())
        .isEqualTo(
            "{\"model\":\"gpt-image-2\",\"prompt\":\"a white ceramic coffee cup\",\"n\":2,"
                + "\"size\":\"16x16\",\"quality\":\"high\",\"output_format\":\"png\"}");
  }

  @Test
  void prompt2IsRefusedNotDroppedAndNothingIsSent() {
    GenerationRequest second =
        new GenerationRequest(
            "a cup", new ImageSize(16, 16), SamplingParams.builder().prompt2("a mug").build());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> engine().generate(second, ProgressListener.NONE, CancellationToken.none()))
        .isInstanceOf(dev.atelier.core.AtelierException.InvalidRequest.class)
        .hasMessageContaining("prompt_2")
        .hasMessageContaining("forwards one prompt");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void sendsNoOrganizationOrProjectHeaderWhenNoneIsSet() throws Exception {
    server.enqueue(json(200, imagesJson("", 0)));
    engine().generate(generation(1, 16), ProgressListener.NONE, CancellationToken.none());

    RecordedRequest r = take();
    assertThat(r.getHeaders().get("OpenAI-Organization")).isNull();
    assertThat(r.getHeaders().get("OpenAI-Project")).isNull();
  }

  @Test
  void leavesQualityAutoToTheUpstreamAndAsksDallEForBase64() throws Exception {
    server.enqueue(json(200, imagesJson("", 0)));
    GenerationRequest auto =
        new GenerationRequest("a cup", new ImageSize(16, 16), SamplingParams.builder().build());
    engine(config().model("dall-e-2").build())
        .generate(auto, ProgressListener.NONE, CancellationToken.none());

    JsonValue.Obj body = jsonBody(take());
    assertThat(body.has("quality")).isFalse();
    assertThat(body.has("output_format")).isFalse();
    assertThat(body.string("response_format", "")).isEqualTo("b64_json");
  }

  @Test
  void decodesTheImagesAndRecordsProvenanceWithUsageOnTheFirstImageOnly() {
    String answer =
        "{\"data\":[{\"b64_json\":\"%s\",\"revised_prompt\":\"a cup, revised\"},{\"b64_json\":\"%s\"}],\"usage\":%s}"
            .formatted(
                b64Png(solid(16, 16, 0xff0000)),
                b64Png(solid(16, 16, 0x0000ff)),
                usage(20, 4160, 15, 5));
    server.enqueue(json(200, answer));

    List<GeneratedImage> images =
        engine().generate(generation(2, 16), ProgressListener.NONE, CancellationToken.none());

    assertThat(images).hasSize(2);
    assertThat(images.get(0).image()).isEqualTo(solid(16, 16, 0xff0000));
    assertThat(images.get(1).image()).isEqualTo(solid(16, 16, 0x0000ff));
    assertThat(images.get(0).seed()).isEqualTo(7);
    assertThat(images.get(1).seed()).isEqualTo(8);
    assertThat(images.get(0).parameters())
        .containsExactly(
            java.util.Map.entry("engine", "openai"),
            java.util.Map.entry("model", "gpt-image-2"),
            java.util.Map.entry("prompt", "a white ceramic coffee cup"),
            java.util.Map.entry("size", "16x16"),
            java.util.Map.entry("quality", "high"),
            java.util.Map.entry("mode", "text-to-image"),
            java.util.Map.entry("seed", "7"),
            java.util.Map.entry("seed_forwarded", "false"),
            java.util.Map.entry("revised_prompt", "a cup, revised"),
            java.util.Map.entry("upstream_request_id", "req_200"),
            java.util.Map.entry("usage.input_tokens", "20"),
            java.util.Map.entry("usage.output_tokens", "4160"),
            java.util.Map.entry("usage.total_tokens", "4180"),
            java.util.Map.entry("usage.input_text_tokens", "15"),
            java.util.Map.entry("usage.input_image_tokens", "5"));
    assertThat(images.get(1).parameters())
        .doesNotContainKeys("usage.input_tokens", "usage.total_tokens", "revised_prompt")
        .containsEntry("seed", "8")
        .containsEntry("upstream_request_id", "req_200");
  }

  @Test
  void onePromptPerImageIsOneCallPerImageInOrder() throws Exception {
    for (int i = 0; i < 3; i++) {
      server.enqueue(json(200, imagesJson("", i)));
    }
    GenerationRequest request =
        new GenerationRequest(
            "a storyboard",
            new ImageSize(16, 16),
            SamplingParams.builder().n(3).seed(40).build(),
            java.util.List.of(),
            java.util.List.of("panel one: a door", "panel two: a key", "第三格：一盏灯"));

    var images = engine().generate(request, ProgressListener.NONE, CancellationToken.none());

    assertThat(images).extracting(GeneratedImage::seed).containsExactly(40L, 41L, 42L);
    assertThat(take().getBody().utf8()).contains("\"prompt\":\"panel one: a door\"", "\"n\":1");
    assertThat(take().getBody().utf8()).contains("\"prompt\":\"panel two: a key\"");
    assertThat(take().getBody().utf8()).contains("第三格：一盏灯");
    assertThat(images.get(2).parameters()).containsEntry("prompt", "第三格：一盏灯");
  }

  @Test
  void recordsThatTheNegativePromptWasNotForwarded() throws Exception {
    server.enqueue(json(200, imagesJson("", 0)));
    GenerationRequest request =
        new GenerationRequest(
            "a cup",
            new ImageSize(16, 16),
            SamplingParams.builder().negativePrompt("blurry, text").build());

    GeneratedImage image =
        engine().generate(request, ProgressListener.NONE, CancellationToken.none()).get(0);

    assertThat(take().getBody().utf8()).doesNotContain("blurry").contains("\"prompt\":\"a cup\"");
    assertThat(image.parameters())
        .containsEntry("negative_prompt", "blurry, text")
        .containsEntry("negative_prompt_forwarded", "false");
  }

  @Test
  void splitsNAboveMaxImagesPerCallAndSumsUsageOverTheFirstImages() throws Exception {
    server.enqueue(json(200, imagesJson(usage(10, 100, 10, 0), 1, 2, 3)));
    server.enqueue(json(200, imagesJson(usage(10, 100, 10, 0), 4, 5, 6)));
    server.enqueue(json(200, imagesJson(usage(10, 70, 10, 0), 7, 8)));
    List<StepProgress> steps = new ArrayList<>();

    List<GeneratedImage> images =
        engine(config().maxImagesPerCall(3).build())
            .generate(generation(8, 16), steps::add, CancellationToken.none());

    assertThat(server.getRequestCount()).isEqualTo(3);
    assertThat(List.of(jsonBody(take()), jsonBody(take()), jsonBody(take())))
        .extracting(b -> b.integer("n", 0))
        .containsExactly(3L, 3L, 2L);
    assertThat(images)
        .extracting(i -> i.image().rgbAt(0, 0))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(images)
        .extracting(GeneratedImage::seed)
        .containsExactly(7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L);
    long total =
        images.stream()
            .mapToLong(i -> Long.parseLong(i.parameters().getOrDefault("usage.total_tokens", "0")))
            .sum();
    assertThat(total).isEqualTo(110 + 110 + 80);
    assertThat(images)
        .filteredOn(i -> i.parameters().containsKey("usage.output_tokens"))
        .extracting(GeneratedImage::seed)
        .containsExactly(7L, 10L, 13L);
    assertThat(steps)
        .extracting(StepProgress::step, StepProgress::totalSteps)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, 3),
            org.assertj.core.groups.Tuple.tuple(2, 3),
            org.assertj.core.groups.Tuple.tuple(3, 3));
    assertThat(steps).allSatisfy(s -> assertThat(s.preview()).isEmpty());
  }

  @Test
  void resizesAnImageOfAnotherSizeAndRecordsTheUpstreamSize() {
    server.enqueue(
        json(200, "{\"data\":[{\"b64_json\":\"" + b64Png(solid(24, 24, 0x336699)) + "\"}]}"));

    GeneratedImage image =
        engine()
            .generate(generation(1, 16), ProgressListener.NONE, CancellationToken.none())
            .get(0);

    assertThat(image.image().width()).isEqualTo(16);
    assertThat(image.image().height()).isEqualTo(16);
    assertThat(image.image().rgbAt(8, 8)).isEqualTo(0x336699);
    assertThat(image.parameters()).containsEntry("upstream_size", "24x24");
  }

  @Test
  void failsTheWholeRequestWhenALaterCallOfASplitFails() {
    server.enqueue(json(200, imagesJson("", 1)));
    server.enqueue(
        error(
            400,
            "Your request was rejected by the safety system.",
            "prompt",
            "invalid_request_error"));

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                engine(config().maxImagesPerCall(1).build())
                    .generate(generation(3, 16), ProgressListener.NONE, CancellationToken.none()))
        .isInstanceOf(dev.atelier.core.AtelierException.UpstreamFailure.class)
        .hasMessage("Your request was rejected by the safety system.");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void stopsBeforeTheFirstCallWhenCancelled() {
    CancellationToken cancel = new CancellationToken();
    cancel.cancel();

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> engine().generate(generation(1, 16), ProgressListener.NONE, cancel))
        .isInstanceOf(dev.atelier.core.AtelierException.Cancelled.class);
    assertThat(server.getRequestCount()).isZero();
  }
}
