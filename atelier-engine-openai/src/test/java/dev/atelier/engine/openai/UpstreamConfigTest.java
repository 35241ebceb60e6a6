package dev.atelier.engine.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpstreamConfigTest {
  private static final String KEY = "sk-proj-abcdefghijklmnop";

  @Test
  void readsTheSdksEnvironmentVariables() {
    UpstreamConfig c =
        UpstreamConfig.fromEnvironment(
            Map.of(
                "OPENAI_API_KEY", KEY,
                "OPENAI_BASE_URL", "http://localhost:4000/v1/",
                "OPENAI_ORG_ID", "org-1",
                "OPENAI_PROJECT_ID", "proj_1"));

    assertThat(c.apiKey()).isEqualTo(KEY);
    assertThat(c.baseUrl()).isEqualTo("http://localhost:4000/v1");
    assertThat(c.organization()).isEqualTo("org-1");
    assertThat(c.project()).isEqualTo("proj_1");
  }

  @Test
  void hasDefaultsForEverythingButTheKey() {
    UpstreamConfig c = UpstreamConfig.fromEnvironment(Map.of("OPENAI_API_KEY", KEY));

    assertThat(c.baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(c.model()).isEqualTo("gpt-image-2");
    assertThat(c.organization()).isEmpty();
    assertThat(c.project()).isEmpty();
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(180));
    assertThat(c.maxRetries()).isEqualTo(3);
    assertThat(c.maxImagesPerCall()).isEqualTo(8);
  }

  @Test
  void acceptsOpenAiOrganizationAsTheOrganization() {
    UpstreamConfig c =
        UpstreamConfig.fromEnvironment(
            Map.of("OPENAI_API_KEY", KEY, "OPENAI_ORGANIZATION", "org-2"));

    assertThat(c.organization()).isEqualTo("org-2");
  }

  @Test
  void tellsTheUserToSetTheKeyWhenItIsMissing() {
    assertThatThrownBy(() -> UpstreamConfig.fromEnvironment(Map.of("OPENAI_API_KEY", " ")))
        .isInstanceOf(AtelierException.ModelUnavailable.class)
        .hasMessageContaining("set OPENAI_API_KEY");
    assertThatThrownBy(() -> UpstreamConfig.builder("").build())
        .isInstanceOf(AtelierException.ModelUnavailable.class);
  }

  @Test
  void asksDallE3ForOneImagePerCall() {
    assertThat(UpstreamConfig.builder(KEY).model("dall-e-3").build().maxImagesPerCall())
        .isEqualTo(1);
    assertThat(UpstreamConfig.builder(KEY).model("gpt-image-1").build().maxImagesPerCall())
        .isEqualTo(8);
    assertThat(
            UpstreamConfig.builder(KEY)
                .model("dall-e-3")
                .maxImagesPerCall(2)
                .build()
                .maxImagesPerCall())
        .isEqualTo(2);
  }

  @Test
  void redactsTheKeyInToString() {
    UpstreamConfig c = UpstreamConfig.builder(KEY).organization("org-1").build();

    assertThat(c.toString()).doesNotContain(KEY).contains("apiKey=[redacted]").contains("org-1");
  }

  @Test
  void refusesBadValuesWithoutEchoingTheKey() {
    assertThatThrownBy(() -> UpstreamConfig.builder(KEY + "\n").build())
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain(KEY);
    assertThatThrownBy(() -> UpstreamConfig.builder(KEY).baseUrl("ftp://example.com").build())
        .hasMessage(
            "baseUrl must be an http(s) URL such as https://api.openai.com/v1 but was 'ftp://example.com'");
    assertThatThrownBy(() -> UpstreamConfig.builder(KEY).maxImagesPerCall(9).build())
        .hasMessage("maxImagesPerCall must be 1..8 but was 9");
    assertThatThrownBy(() -> UpstreamConfig.builder(KEY).maxRetries(-1).build())
        .hasMessage("maxRetries must be 0..10 but was -1");
    assertThatThrownBy(() -> UpstreamConfig.builder(KEY).requestTimeout(Duration.ZERO).build())
        .hasMessage("requestTimeout must be positive but was PT0S");
  }

  @Test
  void validatesReferences() {
    assertThatThrownBy(() -> UpstreamReferences.none().withInputFidelity("medium"))
        .hasMessage("input_fidelity must be low or high but was 'medium'");
  }
}
