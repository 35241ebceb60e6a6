package dev.atelier.engine.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

class DoctorTest extends UpstreamTestSupport {

  @Test
  void passesWhenTheModelIsVisible() throws Exception {
    server.enqueue(
        json(
            200,
            "{\"id\":\"gpt-image-2\",\"object\":\"model\",\"created\":1,\"owned_by\":\"system\"}"));

    List<DoctorCheck> checks = engine().doctor();

    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getTarget()).isEqualTo("/v1/models/gpt-image-2");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(checks)
        .extracting(DoctorCheck::name)
        .containsExactly("reachable", "key accepted", "model visible");
    assertThat(checks).allSatisfy(c -> assertThat(c.ok()).isTrue());
  }

  @Test
  void reportsARefusedKeyWithoutRetryingOrPrintingIt() {
    server.enqueue(error(401, "Incorrect API key provided: " + KEY, null, "invalid_request_error"));

    List<DoctorCheck> checks = engine().doctor();

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(checks).extracting(DoctorCheck::ok).containsExactly(true, false, false);
    assertThat(checks.get(1).message()).contains("OPENAI_API_KEY").doesNotContain(KEY);
    assertThat(checks.get(2).message()).startsWith("not checked");
  }

  @Test
  void reportsAModelTheKeyCannotSee() {
    server.enqueue(
        error(404, "The model 'gpt-image-9' does not exist", "model", "invalid_request_error"));

    List<DoctorCheck> checks = engine(config().model("gpt-image-9").build()).doctor();

    assertThat(checks).extracting(DoctorCheck::ok).containsExactly(true, true, false);
    assertThat(checks.get(2).message())
        .isEqualTo(
            "model gpt-image-9 is not available to this key: The model 'gpt-image-9' does not exist");
  }

  @Test
  void reportsAnUnreachableUpstream() {
    String url = server.url("/v1").toString();
    server.close();

    List<DoctorCheck> checks = engine(UpstreamConfig.builder(KEY).baseUrl(url).build()).doctor();

    assertThat(checks).extracting(DoctorCheck::ok).containsExactly(false, false, false);
    assertThat(checks.get(0).message()).contains("OPENAI_BASE_URL");
    assertThat(sleeps).isEmpty();
  }
}
