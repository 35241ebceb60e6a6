package dev.atelier.engine.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.image.ImageCodec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;

class FailureTest extends UpstreamTestSupport {

  private static Consumer<AtelierException.UpstreamFailure> badGateway(
      String code, String messagePart) {
    return e -> {
      assertThat(e.status()).isEqualTo(502);
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.getMessage()).contains(messagePart).doesNotContain(KEY);
    };
  }

  private void expectFailure(
      OpenAiEngine engine, Consumer<AtelierException.UpstreamFailure> check) {
    assertThatThrownBy(
            () ->
                engine.generate(generation(1, 16), ProgressListener.NONE, CancellationToken.none()))
        .isInstanceOfSatisfying(AtelierException.UpstreamFailure.class, check);
  }

  @Test
  void answersUpstreamTimeoutWithoutRetryingWhenNoAnswerComes() throws InterruptedException {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());

    expectFailure(
        engine(config().requestTimeout(Duration.ofMillis(300)).build()),
        badGateway("upstream_timeout", "did not answer within 300 ms"));
    // No retry: a retry waits its backoff first, and no wait was asked for. On a busy machine the
    // client can give up before its one request has even reached the server (seen at load 15),
    // so the server saw at most that one request, whenever it arrives.
    assertThat(sleeps).isEmpty();
    server.takeRequest(2, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(server.getRequestCount()).isLessThanOrEqualTo(1);
  }

  @Test
  void answersUpstreamTimeoutWhenTheBodyStalls() {
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", "application/json")
            .body(imagesJson("", 0))
            .onResponseBody(SocketEffect.Stall.INSTANCE)
            .build());

    expectFailure(
        engine(config().requestTimeout(Duration.ofMillis(300)).build()),
        badGateway("upstream_timeout", "requestTimeout"));
  }

  @Test
  void rejectsMalformedJson() {
    server.enqueue(json(200, "{\"data\": [ {\"b64_json\": "));

    expectFailure(engine(), badGateway("upstream_bad_response", "not a JSON object"));
  }

  @Test
  void rejectsAnAnswerWithoutData() {
    server.enqueue(json(200, "{\"created\": 1}"));

    expectFailure(engine(), badGateway("upstream_bad_response", "no \"data\" list"));
  }

  @Test
  void rejectsAnItemWithOnlyAUrl() {
    server.enqueue(json(200, "{\"data\":[{\"url\":\"https://example.com/a.png\"}]}"));

    expectFailure(engine(), badGateway("upstream_bad_response", "has only a url"));
  }

  @Test
  void rejectsTooFewImages() {
    server.enqueue(json(200, imagesJson("", 1)));

    assertThatThrownBy(
            () ->
                engine()
                    .generate(generation(2, 16), ProgressListener.NONE, CancellationToken.none()))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            badGateway("upstream_bad_response", "returned 1 images but 2 were asked for"));
  }

  @Test
  void rejectsTruncatedBase64() {
    String b64 = b64Png(solid(16, 16, 0x123456));
    server.enqueue(
        json(200, "{\"data\":[{\"b64_json\":\"" + b64.substring(0, b64.length() - 3) + "\"}]}"));

    expectFailure(engine(), badGateway("upstream_bad_response", "image 0"));
  }

  @Test
  void rejectsATruncatedPng() {
    byte[] png = ImageCodec.encodePng(solid(16, 16, 0x123456), Map.of());
    String b64 = Base64.getEncoder().encodeToString(Arrays.copyOf(png, png.length / 2));
    server.enqueue(json(200, "{\"data\":[{\"b64_json\":\"" + b64 + "\"}]}"));

    expectFailure(engine(), badGateway("upstream_bad_response", "not a usable image"));
  }

  @Test
  void rejectsBase64OfNonImageBytes() {
    String b64 = Base64.getEncoder().encodeToString("hello, not an image".getBytes());
    server.enqueue(json(200, "{\"data\":[{\"b64_json\":\"" + b64 + "\"}]}"));

    expectFailure(engine(), badGateway("upstream_bad_response", "not a usable image"));
  }

  @Test
  void describesANonJsonErrorPage() {
    server.enqueue(
        new MockResponse.Builder()
            .code(403)
            .body("<html><body>Forbidden by proxy</body></html>")
            .build());

    expectFailure(
        engine(),
        e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.getMessage())
              .isEqualTo(
                  "upstream answered HTTP 403: <html><body>Forbidden by proxy</body></html>");
        });
  }

  @Test
  void neverPutsTheKeyIntoMessagesEvenWhenTheUpstreamEchoesIt() {
    server.enqueue(
        error(401, "Incorrect API key provided: " + KEY + ".", null, "invalid_request_error"));

    expectFailure(
        engine(),
        e -> {
          assertThat(e.status()).isEqualTo(401);
          assertThat(e.getMessage())
              .doesNotContain(KEY)
              .isEqualTo("Incorrect API key provided: [redacted].");
        });
  }

  @Test
  void neverPutsTheKeyIntoToStringOrProvenance() {
    server.enqueue(json(200, imagesJson("", 0)));
    OpenAiEngine engine = engine();

    var image =
        engine.generate(generation(1, 16), ProgressListener.NONE, CancellationToken.none()).get(0);

    assertThat(engine.config().toString()).doesNotContain(KEY).contains("apiKey=[redacted]");
    assertThat(image.parameters().toString()).doesNotContain(KEY);
  }
}
