package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.server.auth.AccessSettings;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The headers every response carries, and CORS only for the allow-listed origins. */
class BrowserSafetyTest {
  @TempDir Path dir;
  private ServerFixture f;

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  private void start(List<String> origins) {
    f =
        ServerFixture.withConfig(
            dir,
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withAccess(AccessSettings.ephemeral().withCorsOrigins(origins)));
  }

  private HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(f.base() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyResponseSaysNosniffAndNoReferrerAndTheStudioCarriesItsPolicy() throws Exception {
    start(List.of());
    for (String path : new String[] {"/", "/js/main.js", "/v1/models", "/v1/nothing-here"}) {
      HttpResponse<String> r = send("GET", path);
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
    }
    String csp = send("GET", "/").headers().firstValue("Content-Security-Policy").orElse("");
    assertThat(csp)
        .contains("default-src 'self'")
        .contains("img-src 'self' data: blob:")
        .contains("frame-ancestors 'none'")
        .doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval");
  }

  @Test
  void corsIsOffByDefault() throws Exception {
    start(List.of());
    HttpResponse<String> get = send("GET", "/v1/models", "Origin", "https://app.example.com");
    assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> preflight =
        send(
            "OPTIONS",
            "/v1/images/generations",
            "Origin",
            "https://app.example.com",
            "Access-Control-Request-Method",
            "POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).isEmpty();
  }

  @Test
  void onlyAllowListedOriginsGetCorsAndTheirPreflightAnswered() throws Exception {
    start(List.of("https://app.example.com"));
    HttpResponse<String> get = send("GET", "/v1/models", "Origin", "https://app.example.com");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://app.example.com");
    assertThat(get.headers().firstValue("Vary")).hasValue("Origin");

    HttpResponse<String> preflight =
        send(
            "OPTIONS",
            "/v1/images/generations",
            "Origin",
            "https://app.example.com",
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "authorization, content-type");
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue("https://app.example.com");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
        .contains("POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
        .contains("Authorization")
        .contains("Content-Type");

    HttpResponse<String> other = send("GET", "/v1/models", "Origin", "https://evil.example");
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> otherPreflight =
        send(
            "OPTIONS",
            "/v1/images/generations",
            "Origin",
            "https://evil.example",
            "Access-Control-Request-Method",
            "POST");
    assertThat(otherPreflight.statusCode()).isNotEqualTo(204);
    assertThat(otherPreflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }
}
