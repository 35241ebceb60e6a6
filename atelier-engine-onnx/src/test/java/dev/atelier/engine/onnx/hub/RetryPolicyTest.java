package dev.atelier.engine.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  @Test
  void defaultRetriesFiveTimesDoublingFromOneSecondToSixteen() {
    RetryPolicy policy = RetryPolicy.DEFAULT;

    assertThat(policy.attempts()).isEqualTo(6);
    assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.backoff(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(policy.backoff(60)).isEqualTo(Duration.ofSeconds(16));
    assertThat(policy.stallTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.withStallTimeout(Duration.ofMillis(200)))
        .isEqualTo(
            new RetryPolicy(
                5, Duration.ofSeconds(1), Duration.ofSeconds(16), Duration.ofMillis(200)));
  }

  @Test
  void jitteredWaitsStayInTheUpperHalfAndRetryAfterReplacesThem() {
    Retrier retrier = new Retrier(RetryPolicy.DEFAULT, d -> {}, new Random(1));
    TransientFailure cut = new TransientFailure("cut", null);

    for (int i = 0; i < 100; i++) {
      assertThat(retrier.delay(3, cut)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }
    assertThat(
            retrier.delay(3, new TransientFailure("429", Optional.of(Duration.ofSeconds(9)), null)))
        .isEqualTo(Duration.ofSeconds(9));
    assertThat(retrier.delay(1, new TransientFailure("429", Optional.of(Duration.ofDays(1)), null)))
        .isEqualTo(RetryPolicy.MAX_RETRY_AFTER);
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDate() {
    Instant now = Instant.parse("2025-01-01T00:00:00Z");

    assertThat(Retrier.parseRetryAfter(Optional.of("12"), now)).contains(Duration.ofSeconds(12));
    assertThat(Retrier.parseRetryAfter(Optional.of("Wed, 01 Jan 2025 00:01:30 GMT"), now))
        .contains(Duration.ofSeconds(90));
    assertThat(Retrier.parseRetryAfter(Optional.of("Tue, 31 Dec 2024 23:00:00 GMT"), now))
        .contains(Duration.ZERO);
    assertThat(Retrier.parseRetryAfter(Optional.of("soon"), now)).isEmpty();
    assertThat(Retrier.parseRetryAfter(Optional.empty(), now)).isEmpty();
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new RetryPolicy(-1, Duration.ofSeconds(1), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRetries must be 0..100 but was -1");
    assertThatThrownBy(() -> new RetryPolicy(5, Duration.ZERO, Duration.ofSeconds(2)))
        .hasMessage("initialDelay must be positive but was PT0S");
    assertThatThrownBy(() -> new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("maxDelay must be at least initialDelay (PT2S) but was PT1S");
    assertThatThrownBy(() -> RetryPolicy.DEFAULT.withStallTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stallTimeout must be positive but was PT0S");
  }
}
