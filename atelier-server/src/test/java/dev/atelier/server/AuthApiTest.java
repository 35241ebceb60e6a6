package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import dev.atelier.core.json.JsonValue;
import dev.atelier.store.ApiKey;
import dev.atelier.store.Stores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API keys on a real server: 401, 403, revocation, and the secret never leaking. */
class AuthApiTest {
  @TempDir Path dir;
  ServerFixture f;
  ApiKey.Issued alice;
  ApiKey.Issued imagesOnly;
  final List<String> bodies = new ArrayList<>();
  final List<String> messages = new ArrayList<>();

  // Every log line of the test (slf4j-simple writes to System.err), searched for the secrets.
  final ByteArrayOutputStream log = new ByteArrayOutputStream();
  PrintStream realErr;

  @BeforeEach
  void start() {
    realErr = System.err;
    System.setErr(new PrintStream(new TeeStream(realErr, log), true, StandardCharsets.UTF_8));
    f = new ServerFixture(dir);
    alice = ApiKey.issue("alice", "", ApiKey.DEFAULT_SCOPES, 0, 0, 0, Instant.now());
    imagesOnly = ApiKey.issue("ci", "team", Set.of("images"), 30, 500, 2, Instant.now());
    f.metadata.insertApiKey(alice.key());
    f.metadata.insertApiKey(imagesOnly.key());
  }

  @AfterEach
  void stop() {
    clients.forEach(OpenAIClient::close);
    f.close();
    System.setErr(realErr);
  }

  HttpResponse<String> send(String method, String path, String bearer, String json)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(f.base() + path))
            .method(
                method,
                json.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .header("Content-Type", "application/json");
    if (!bearer.isEmpty()) {
      b.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> r = f.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    bodies.add(r.body());
    return r;
  }

  final List<OpenAIClient> clients = new ArrayList<>();

  OpenAIClient sdk(String key) {
    OpenAIClient c =
        OpenAIOkHttpClient.builder().apiKey(key).baseUrl(f.base() + "/v1").maxRetries(0).build();
    clients.add(c);
    return c;
  }

  static JsonValue.Obj error(HttpResponse<String> r) {
    ServerFixture.assertStrictJson(r.body());
    return (JsonValue.Obj)
        ((JsonValue.Obj) dev.atelier.core.json.Json.parse(r.body())).get("error").orElseThrow();
  }

  @Test
  void aRequestWithoutAKeyIs401InOpenAisShapeWithAChallenge() throws Exception {
    HttpResponse<String> r = send("POST", "/v1/images/generations", "", "{\"prompt\":\"x\"}");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"atelier\"");
    JsonValue.Obj e = error(r);
    assertThat(e.string("code", "")).isEqualTo("invalid_api_key");
    assertThat(e.string("type", "")).isEqualTo("invalid_request_error");
    assertThat(e.string("message", "")).contains("atelier keys create --name NAME");
    assertThat(f.metadata.referencedBlobs()).isEmpty();
  }

  @Test
  void aWrongKeyIs401ForEveryProtectedRouteAndTheSdkSaysUnauthorized() throws Exception {
    String wrong = "atl_" + alice.secret().reveal().substring(4, 12) + "x".repeat(35);
    for (String[] route :
        new String[][] {
          {"POST", "/v1/images/generations"},
          {"GET", "/v1/images/img_aaaaaaaaaaaaaaaaaaaaaaaa"},
          {"GET", "/v1/images/img_aaaaaaaaaaaaaaaaaaaaaaaa/content"},
          {"POST", "/v1/edits/plan"},
          {"POST", "/v1/sessions"},
          {"DELETE", "/v1/sessions/ses_aaaaaaaaaaaaaaaaaaaaaaaa"},
          {"GET", "/v1/nothing-here"}
        }) {
      HttpResponse<String> r = send(route[0], route[1], wrong, "");
      assertThat(r.statusCode()).as(route[1]).isEqualTo(401);
      assertThat(error(r).string("code", "")).isEqualTo("invalid_api_key");
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .contains("Bearer realm=\"atelier\", error=\"invalid_token\"");
    }
    {
      OpenAIClient sdk = sdk("sk-not-ours");
      assertThatThrownBy(
              () -> sdk.images().generate(ImageGenerateParams.builder().prompt("x").build()))
          .isInstanceOf(UnauthorizedException.class)
          .satisfies(e -> messages.add(e.getMessage()))
          .satisfies(
              e -> assertThat(((UnauthorizedException) e).code()).contains("invalid_api_key"));
    }
  }

  @Test
  void pathsSpelledAnotherWayDoNotSlipPastTheCheck() throws Exception {
    for (String path :
        new String[] {
          "/v1/%69mages/generations",
          "/v1//images/generations",
          "/v1/images/generations/",
          "/v1/models/../images/generations",
          "/v1/models/%2e%2e/images/generations",
          "/v1/images/generations;x=1",
          "/V1/images/generations"
        }) {
      HttpResponse<String> r = send("POST", path, "", "{\"prompt\":\"x\"}");
      assertThat(r.statusCode()).as(path).isBetween(400, 499);
    }
    assertThat(f.metadata.referencedBlobs()).isEmpty();
  }

  @Test
  void aValidKeyWorksWithTheSdkAndModelsAndTheStudioNeedNoKey() throws Exception {
    {
      OpenAIClient sdk = sdk(alice.secret().reveal());
      ImagesResponse r = sdk.images().generate(ImageGenerateParams.builder().prompt("x").build());
      assertThat(r.data().orElseThrow()).hasSize(1);
    }
    assertThat(
            send("POST", "/v1/sessions", alice.secret().reveal(), "{\"prompt\":\"a cup\"}")
                .statusCode())
        .isEqualTo(201);
    assertThat(send("GET", "/v1/models", "", "").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/", "", "").statusCode()).isEqualTo(200);
    assertThat(f.metadata.apiKeys())
        .filteredOn(k -> k.name().equals("alice"))
        .singleElement()
        .satisfies(k -> assertThat(k.lastUsedAt()).isPresent());
  }

  @Test
  void aSignedImageUrlWorksWithoutTheKeyAndAnUnsignedOneNeedsIt() throws Exception {
    HttpResponse<String> made =
        send(
            "POST",
            "/v1/images/generations",
            alice.secret().reveal(),
            "{\"prompt\":\"a cup\",\"response_format\":\"url\"}");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
    String url =
        ((JsonValue.Obj)
                ((JsonValue.Obj) dev.atelier.core.json.Json.parse(made.body()))
                    .array("data")
                    .get(0))
            .string("url", "");
    assertThat(url).contains("&sig=");
    String path = url.substring(f.base().length());
    // An <img> tag sends no key: the signature is its proof.
    assertThat(send("GET", path, "", "").statusCode()).isEqualTo(200);
    String unsigned = path.substring(0, path.indexOf('?'));
    assertThat(send("GET", unsigned, "", "").statusCode()).isEqualTo(401);
    assertThat(send("GET", unsigned, alice.secret().reveal(), "").statusCode()).isEqualTo(200);
    String tampered = path.substring(0, path.length() - 2) + (path.endsWith("A") ? "BB" : "AA");
    assertThat(send("GET", tampered, "", "").statusCode()).isEqualTo(403);
  }

  @Test
  void aKeyWithoutTheRoutesScopeIs403NamingTheScope() throws Exception {
    HttpResponse<String> r =
        send("POST", "/v1/sessions", imagesOnly.secret().reveal(), "{\"prompt\":\"a cup\"}");

    assertThat(r.statusCode()).isEqualTo(403);
    JsonValue.Obj e = error(r);
    assertThat(e.string("code", "")).isEqualTo("insufficient_scope");
    assertThat(e.string("message", ""))
        .isEqualTo(
            "this API key lacks the scope 'sessions' that /v1/sessions needs; create a key with"
                + " --scopes sessions (or admin)");
    assertThat(r.headers().firstValue("WWW-Authenticate").orElse(""))
        .contains("error=\"insufficient_scope\"", "scope=\"sessions\"");
    {
      OpenAIClient sdk = sdk(imagesOnly.secret().reveal());
      assertThat(sdk.images().generate(ImageGenerateParams.builder().prompt("x").build()).data())
          .isPresent();
    }
    ApiKey.Issued admin = ApiKey.issue("root", "", Set.of("admin"), 0, 0, 0, Instant.now());
    f.metadata.insertApiKey(admin.key());
    awaitStatus("POST", "/v1/sessions", admin.secret().reveal(), 201);
  }

  @Test
  void aRevokedKeyIsRefusedWithinTwoSeconds() throws Exception {
    {
      OpenAIClient sdk = sdk(alice.secret().reveal());
      sdk.images().generate(ImageGenerateParams.builder().prompt("x").build());
      f.metadata.revokeApiKey("alice", Instant.now());
      long revokedAt = System.nanoTime();

      awaitStatus("POST", "/v1/images/generations", alice.secret().reveal(), 401);

      assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(2));
      assertThatThrownBy(
              () -> sdk.images().generate(ImageGenerateParams.builder().prompt("x").build()))
          .isInstanceOf(UnauthorizedException.class)
          .satisfies(e -> messages.add(e.getMessage()));
    }
    // Another key still works: revoking one key leaves auth on.
    {
      OpenAIClient sdk = sdk(imagesOnly.secret().reveal());
      assertThat(sdk.images().generate(ImageGenerateParams.builder().prompt("x").build()).data())
          .isPresent();
    }
  }

  @Test
  void theSecretNeverAppearsInLogsTheDatabaseResponsesOrExceptions() throws Exception {
    String secret = alice.secret().reveal();
    {
      OpenAIClient sdk = sdk(secret);
      sdk.images().generate(ImageGenerateParams.builder().prompt("x").build());
    }
    send("POST", "/v1/images/generations", secret, "{\"prompt\":\"x\"}");
    send("POST", "/v1/sessions", imagesOnly.secret().reveal(), "{\"prompt\":\"x\"}");
    send("POST", "/v1/images/generations", secret + "tampered", "{\"prompt\":\"x\"}");
    send("GET", "/v1/models", secret, "");
    f.metadata.revokeApiKey("alice", Instant.now());
    awaitStatus("POST", "/v1/images/generations", secret, 401);
    {
      OpenAIClient sdk = sdk(secret);
      assertThatThrownBy(
              () -> sdk.images().generate(ImageGenerateParams.builder().prompt("x").build()))
          .satisfies(e -> messages.add(e.toString()));
    }
    messages.add(alice.toString());
    messages.add(alice.key().toString());
    messages.add(alice.secret().toString());
    f.close();
    System.err.flush();

    for (ApiKey.Issued k : List.of(alice, imagesOnly)) {
      String s = k.secret().reveal();
      assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain(s);
      assertThat(bodies).noneMatch(b -> b.contains(s));
      assertThat(messages).noneMatch(m -> m.contains(s));
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p :
            files.filter(p -> p.getFileName().toString().startsWith(Stores.SQLITE_FILE)).toList()) {
          assertThat(indexOf(Files.readAllBytes(p), s.getBytes(StandardCharsets.UTF_8)))
              .as(p.toString())
              .isEqualTo(-1);
        }
      }
    }
    assertThat(bodies).isNotEmpty();
    assertThat(log.toString(StandardCharsets.UTF_8)).contains(" 401 ");
    // Searching the file for the secret means something: its hash is there.
    assertThat(
            indexOf(
                Files.readAllBytes(dir.resolve(Stores.SQLITE_FILE)),
                alice.key().hash().getBytes(StandardCharsets.UTF_8)))
        .isNotEqualTo(-1);
  }

  void awaitStatus(String method, String path, String key, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    int last;
    do {
      last =
          send(method, path, key, method.equals("POST") ? "{\"prompt\":\"x\"}" : "").statusCode();
      if (last == status) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    } while (System.nanoTime() < deadline);
    throw new AssertionError("expected " + status + " from " + path + " but it stayed " + last);
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Writes to two streams. */
  static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
