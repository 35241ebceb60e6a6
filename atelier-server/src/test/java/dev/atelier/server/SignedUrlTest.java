package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.auth.AccessSettings;
import dev.atelier.server.auth.Caller;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image URLs carry an expiry and an HMAC; /content checks them without a key. */
class SignedUrlTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private ServerFixture f;

  @BeforeEach
  void start() {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 7);
    f =
        ServerFixture.withCallers(
            dir,
            new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
                .withAccess(
                    new AccessSettings(secret, Duration.ofMinutes(10), java.util.List.of(), clock)),
            Map.of("k1", new Caller("k1", "", Set.of("images"), 0, 0, 0)));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private String generatedUrl() throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"a red fox\",\"n\":2,\"response_format\":\"url\"}");
    assertThat(r.status()).isEqualTo(200);
    return r.json().array("data").get(0).asObject().string("url", "");
  }

  private HttpResponse<byte[]> fetch(String url, String key) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (key != null) {
      b.header(ServerFixture.TEST_KEY, key);
    }
    return f.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String code(HttpResponse<byte[]> r) {
    String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    ServerFixture.assertStrictJson(body);
    return ((JsonValue.Obj) Json.parse(body)).object("error").orElseThrow().string("code", "");
  }

  @Test
  void aValidUrlServesTheImageWithoutAKeyUntilItExpires() throws Exception {
    String url = generatedUrl();
    assertThat(url).matches(".*/content\\?expires=\\d+&sig=[A-Za-z0-9_-]{43}");
    assertThat(url).contains("expires=" + clock.instant().plusSeconds(600).getEpochSecond());

    HttpResponse<byte[]> ok = fetch(url, null);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Content-Type")).hasValue("image/png");

    clock.advance(Duration.ofMinutes(10));
    HttpResponse<byte[]> expired = fetch(url, null);
    assertThat(expired.statusCode()).isEqualTo(403);
    assertThat(code(expired)).isEqualTo("url_expired");
    // A key still reads it (authentication's own checks apply instead).
    assertThat(fetch(url, "k1").statusCode()).isEqualTo(200);
  }

  @Test
  void aTamperedSignatureOrExpiryIsRefused() throws Exception {
    String url = generatedUrl();
    String sig = url.substring(url.indexOf("sig=") + 4);
    char last = sig.charAt(sig.length() - 1);
    String tampered = url.substring(0, url.length() - 1) + (last == 'A' ? 'B' : 'A');
    HttpResponse<byte[]> r = fetch(tampered, null);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(code(r)).isEqualTo("invalid_signature");

    String expires = url.replaceAll(".*expires=(\\d+).*", "$1");
    String later = url.replace("expires=" + expires, "expires=" + (Long.parseLong(expires) + 3600));
    assertThat(code(fetch(later, null))).isEqualTo("invalid_signature");
    assertThat(fetch(url.replace("&sig=" + sig, ""), null).statusCode()).isEqualTo(403);
    assertThat(fetch(url.replace("expires=" + expires, "expires=soon"), null).statusCode())
        .isEqualTo(403);
  }

  @Test
  void anotherImagesSignatureIsRefused() throws Exception {
    ServerFixture.Reply r =
        f.post(
            "/v1/images/generations",
            "{\"prompt\":\"a red fox\",\"n\":2,\"response_format\":\"url\"}");
    String first = r.json().array("data").get(0).asObject().string("url", "");
    String secondId = r.json().array("data").get(1).asObject().string("id", "");
    String swapped = first.replaceAll("/images/img_[^/]+/", "/images/" + secondId + "/");
    assertThat(swapped).isNotEqualTo(first);

    HttpResponse<byte[]> refused = fetch(swapped, null);

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(code(refused)).isEqualTo("invalid_signature");
  }

  @Test
  void everyUrlTheServerHandsOutIsSigned() throws Exception {
    String url = generatedUrl();
    String id = url.replaceAll(".*/images/(img_[^/]+)/content.*", "$1");
    String meta = f.get("/v1/images/" + id).json().string("url", "");
    String listed = f.get("/v1/images").json().array("data").get(0).asObject().string("url", "");
    ServerFixture.Reply session = f.post("/v1/sessions", "{\"prompt\":\"a grey sofa\"}");
    String round = session.json().array("rounds").get(0).asObject().string("image_url", "");
    String summary =
        f.get("/v1/sessions")
            .json()
            .array("data")
            .get(0)
            .asObject()
            .string("current_image_url", "");

    for (String u : new String[] {meta, listed, round, summary}) {
      assertThat(u).contains("/content?expires=").contains("&sig=");
      assertThat(fetch(u, null).statusCode()).as(u).isEqualTo(200);
    }
  }

  @Test
  void withoutASignatureAnAnonymousLoopbackServerServesContentAsBefore() throws Exception {
    String url = generatedUrl();
    assertThat(fetch(url.substring(0, url.indexOf('?')), null).statusCode()).isEqualTo(200);
  }

  @Test
  void theSecretIsCreatedOwnerOnlyOnceAndReadBackAfter() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    byte[] first = AccessSettings.secretIn(data);
    byte[] again = AccessSettings.secretIn(data);

    assertThat(first).hasSize(32).isEqualTo(again);
    Path file = data.resolve("url-secret");
    assertThat(Files.readAllBytes(file)).isEqualTo(first);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(new AccessSettings(first, Duration.ofHours(1), java.util.List.of(), clock))
        .hasToString("AccessSettings[urlTtl=PT1H, corsOrigins=[]]");
  }

  @Test
  void aShortSecretIsRefused() {
    assertThatThrownBy(
            () -> new AccessSettings(new byte[8], Duration.ofHours(1), java.util.List.of(), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("urlSecret must be at least 32 bytes but was 8");
  }
}
