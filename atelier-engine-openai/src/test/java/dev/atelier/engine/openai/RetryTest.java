package dev.atelier.engine.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.ProgressListener;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

class RetryTest extends UpstreamTestSupport {

  private static MockResponse withHeader(int code, String name, String value) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json")
        .addHeader(name, value)
        .body(
            "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}")
        .build();
  }

  private void generate(OpenAiEngine engine) {
    engine.generate(generation(1, 16), ProgressListener.NONE, CancellationToken.none());
  }

  @Test
  void waitsForRetryAfterSecondsThenSucceeds() {
    server.enqueue(withHeader(429, "Retry-After", "2"));
    server.enqueue(json(200, imagesJson("", 0)));

    generate(engine());

    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
  }

  @Test
  void prefersRetryAfterMs() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("retry-after-ms", "1500")
            .addHeader("Retry-After", "9")
            .build());
    server.enqueue(json(200, imagesJson("", 0)));

    generate(engine());

    assertThat(sleeps).containsExactly(Duration.ofMillis(1500));
  }

  @Test
  void readsRetryAfterAsAnHttpDate() {
    String inFiveSeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(5).atZone(ZoneOffset.UTC));
    server.enqueue(withHeader(503, "Retry-After", inFiveSeconds));
    server.enqueue(json(200, imagesJson("", 0)));

    generate(engine());

    assertThat(sleeps).containsExactly(Duration.ofSeconds(5));
  }

  @Test
  void ignoresAHintLongerThanAMinuteAndBacksOffInstead() {
    server.enqueue(withHeader(429, "Retry-After", "3600"));
    server.enqueue(json(200, imagesJson("", 0)));

    generate(engine());

    assertThat(sleeps).hasSize(1);
    assertThat(sleeps.get(0)).isLessThan(Duration.ofMillis(500));
  }

  @Test
  void givesUpAfterMaxRetriesOn5xxWithBadGateway() {
    for (int i = 0; i < 4; i++) {
      server.enqueue(error(503, "The engine is currently overloaded", null, "server_error"));
    }

    assertThatThrownBy(() -> generate(engine(config().maxRetries(3).build())))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            e -> {
              assertThat(e.status()).isEqualTo(502);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "upstream answered HTTP 503 4 times: The engine is currently overloaded");
            });
    assertThat(server.getRequestCount()).isEqualTo(4);
    assertThat(sleeps).hasSize(3);
  }

  @Test
  void spacesRetriesWithFullJitterExponentialBackoff() {
    for (int i = 0; i < 4; i++) {
      server.enqueue(json(500, "oops"));
    }
    server.enqueue(json(200, imagesJson("", 0)));

    generate(engine(config().maxRetries(4).build()));

    // The engine's jitter source is new Random(42): delay k is uniform in [0, min(20 s, 0.5 s *
    // 2^k)).
    Random same = new Random(42);
    long[] ceilings = {500, 1000, 2000, 4000};
    assertThat(sleeps).hasSize(4);
    for (int k = 0; k < 4; k++) {
      Duration expected = Duration.ofNanos((long) (same.nextDouble() * ceilings[k] * 1_000_000));
      assertThat(sleeps.get(k)).isEqualTo(expected);
      assertThat(sleeps.get(k)).isBetween(Duration.ZERO, Duration.ofMillis(ceilings[k]));
    }
  }

  @Test
  void capsTheBackoffCeilingAtTwentySeconds() {
    dev.atelier.engine.openai.internal.Backoff backoff =
        new dev.atelier.engine.openai.internal.Backoff(
            Duration.ofMillis(500),
            Duration.ofSeconds(20),
            new Random(1),
            java.time.Clock.systemUTC());
    assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(500));
    assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(20));
    assertThat(backoff.ceiling(40)).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void passesA400OnAtOnceWithTheUpstreamsMessageAndParam() {
    server.enqueue(
        error(
            400,
            "Invalid value: '16x16'. Supported values are: '1024x1024'",
            "size",
            "invalid_request_error"));

    assertThatThrownBy(() -> generate(engine()))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.getMessage())
                  .isEqualTo("Invalid value: '16x16'. Supported values are: '1024x1024'");
              assertThat(e.param()).isEqualTo("size");
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void keepsTheUpstreamsErrorCode() {
    server.enqueue(
        json(
            400,
            "{\"error\":{\"message\":\"Your request was rejected\",\"type\":\"image_generation_user_error\",\"param\":null,\"code\":\"moderation_blocked\"}}"));

    assertThatThrownBy(() -> generate(engine()))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            e -> {
              assertThat(e.code()).isEqualTo("moderation_blocked");
              assertThat(e.param()).isEmpty();
            });
  }

  @Test
  void doesNotRetryAnExhaustedQuota() {
    server.enqueue(
        json(
            429,
            "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}"));

    assertThatThrownBy(() -> generate(engine()))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            e -> {
              assertThat(e.status()).isEqualTo(429);
              assertThat(e.code()).isEqualTo("insufficient_quota");
            });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void keeps429WhenRateLimitRetriesRunOut() {
    for (int i = 0; i < 2; i++) {
      server.enqueue(withHeader(429, "Retry-After", "1"));
    }

    assertThatThrownBy(() -> generate(engine(config().maxRetries(1).build())))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            e -> {
              assertThat(e.status()).isEqualTo(429);
              assertThat(e.code()).isEqualTo("rate_limit_exceeded");
            });
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void honoursXShouldRetryFalse() {
    server.enqueue(withHeader(503, "x-should-retry", "false"));

    assertThatThrownBy(() -> generate(engine()))
        .isInstanceOf(AtelierException.UpstreamFailure.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void retriesARefusedConnectionThenReportsTheUpstreamUnreachable() throws Exception {
    String url = server.url("/v1").toString();
    server.close();

    assertThatThrownBy(
            () -> generate(engine(UpstreamConfig.builder(KEY).baseUrl(url).maxRetries(2).build())))
        .isInstanceOfSatisfying(
            AtelierException.UpstreamFailure.class,
            e -> {
              assertThat(e.status()).isEqualTo(502);
              assertThat(e.code()).isEqualTo("upstream_unreachable");
              assertThat(e.getMessage()).doesNotContain(KEY);
            });
    assertThat(sleeps).hasSize(2);
  }
}
