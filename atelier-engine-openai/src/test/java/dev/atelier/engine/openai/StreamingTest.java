package dev.atelier.engine.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.StepProgress;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

class StreamingTest extends UpstreamTestSupport {

  /** Records steps and asks for {@code k} partial images. */
  private static final class Recording implements ProgressListener {
    final int k;
    final List<StepProgress> steps = new ArrayList<>();
    final List<Optional<RgbImage>> previews = new ArrayList<>();

    Recording(int k) {
      this.k = k;
    }

    @Override
    public void onStep(StepProgress progress) {
      steps.add(progress);
      previews.add(progress.preview());
    }

    @Override
    public int partialImages() {
      return k;
    }
  }

  private static String event(String type, String json) {
    return "event: " + type + "\ndata: " + json + "\n\n";
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "text/event-stream; charset=utf-8")
        .addHeader("x-request-id", "req_stream")
        .body(body)
        .build();
  }

  private static String partial(String prefix, int index, int colour) {
    return event(
        prefix + ".partial_image",
        "{\"type\":\"%s.partial_image\",\"b64_json\":\"%s\",\"partial_image_index\":%d,\"size\":\"16x16\",\"output_format\":\"png\"}"
            .formatted(prefix, b64Png(solid(16, 16, colour)), index));
  }

  private static String completed(String prefix, int colour, String usage) {
    return event(
        prefix + ".completed",
        "{\"type\":\"%s.completed\",\"b64_json\":\"%s\",\"size\":\"16x16\",\"usage\":%s}"
            .formatted(prefix, b64Png(solid(16, 16, colour)), usage));
  }

  @Test
  void reportsPartialImagesAsPreviewsAndReturnsTheCompletedImage() throws Exception {
    server.enqueue(
        sse(
            ": keep-alive\n\n"
                + partial("image_generation", 0, 0x101010)
                + partial("image_generation", 1, 0x202020)
                + completed("image_generation", 0xabcdef, usage(10, 200, 10, 0))));
    Recording progress = new Recording(2);

    List<GeneratedImage> images =
        engine().generate(generation(1, 16), progress, CancellationToken.none());

    JsonValue.Obj body = jsonBody(take());
    assertThat(body.bool("stream", false)).isTrue();
    assertThat(body.integer("partial_images", 0)).isEqualTo(2);
    assertThat(progress.steps)
        .extracting(StepProgress::step, StepProgress::totalSteps)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, 3),
            org.assertj.core.groups.Tuple.tuple(2, 3),
            org.assertj.core.groups.Tuple.tuple(3, 3));
    assertThat(progress.previews.subList(0, 2))
        .containsExactly(
            Optional.of(solid(16, 16, 0x101010)), Optional.of(solid(16, 16, 0x202020)));
    assertThat(images).hasSize(1);
    assertThat(images.get(0).image()).isEqualTo(solid(16, 16, 0xabcdef));
    assertThat(images.get(0).parameters())
        .containsEntry("upstream_request_id", "req_stream")
        .containsEntry("usage.total_tokens", "210");
  }

  @Test
  void streamsEditsWithFormFieldsAndEditEvents() throws Exception {
    server.enqueue(
        sse(
            partial("image_edit", 0, 0x010203)
                + completed("image_edit", 0x040506, usage(1, 2, 1, 0))));
    Recording progress = new Recording(1);
    EditRequest request =
        new EditRequest(
            "make it blue",
            solid(16, 16, 0),
            new EditMode.ImageToImage(0.5),
            SamplingParams.builder().build());

    GeneratedImage image = engine().edit(request, progress, CancellationToken.none()).get(0);

    List<Part> parts = parts(take());
    assertThat(parts)
        .filteredOn(p -> p.name().equals("stream"))
        .extracting(Part::text)
        .containsExactly("true");
    assertThat(parts)
        .filteredOn(p -> p.name().equals("partial_images"))
        .extracting(Part::text)
        .containsExactly("1");
    assertThat(progress.previews.get(0)).contains(solid(16, 16, 0x010203));
    assertThat(image.image()).isEqualTo(solid(16, 16, 0x040506));
  }

  @Test
  void acceptsAPlainJsonAnswerFromAnUpstreamThatDoesNotStream() {
    server.enqueue(json(200, imagesJson("", 0x777777)));
    Recording progress = new Recording(3);

    GeneratedImage image =
        engine().generate(generation(1, 16), progress, CancellationToken.none()).get(0);

    assertThat(image.image()).isEqualTo(solid(16, 16, 0x777777));
    assertThat(progress.steps)
        .extracting(StepProgress::step, StepProgress::totalSteps)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 1));
  }

  @Test
  void failsWithBadGatewayWhenTheStreamEndsWithoutACompletedImage() {
    server.enqueue(sse(partial("image_generation", 0, 0x101010)));

    assertThatThrownBy(
            () -> engine().generate(generation(1, 16), new Recording(1), CancellationToken.none()))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            e -> {
              assertThat(e.status()).isEqualTo(502);
              assertThat(e.getMessage()).contains("image_generation.completed");
            });
  }

  @Test
  void failsWithTheUpstreamsMessageOnAnErrorEvent() {
    server.enqueue(
        sse(
            partial("image_generation", 0, 0x101010)
                + event(
                    "error",
                    "{\"type\":\"error\",\"error\":{\"message\":\"server overloaded\",\"code\":\"server_error\"}}")));

    assertThatThrownBy(
            () -> engine().generate(generation(1, 16), new Recording(1), CancellationToken.none()))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            e -> {
              assertThat(e.status()).isEqualTo(502);
              assertThat(e.code()).isEqualTo("server_error");
              assertThat(e.getMessage()).contains("server overloaded");
            });
  }

  @Test
  void stopsBetweenEventsWhenCancelled() {
    server.enqueue(
        sse(
            partial("image_generation", 0, 0x101010)
                + partial("image_generation", 1, 0x202020)
                + completed("image_generation", 0xabcdef, usage(1, 1, 1, 0))));
    CancellationToken cancel = new CancellationToken();
    ProgressListener cancelAtFirstPartial =
        new ProgressListener() {
          @Override
          public void onStep(StepProgress progress) {
            cancel.cancel();
          }

          @Override
          public int partialImages() {
            return 2;
          }
        };

    assertThatThrownBy(() -> engine().generate(generation(1, 16), cancelAtFirstPartial, cancel))
        .isInstanceOf(AtelierException.Cancelled.class);
  }
}
