package dev.atelier.server;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.auth.Caller;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;

/** A real server on port 0 over a FakeEngine and SQLite in a temp folder, plus an HTTP client. */
final class ServerFixture implements AutoCloseable {
  final Path dataDir;
  final FakeEngine engine = new FakeEngine();
  final MetadataStore metadata;
  final BlobStore blobs;
  final AtelierServer server;
  final HttpClient http = HttpClient.newHttpClient();

  ServerFixture(Path dataDir) {
    this(dataDir, false);
  }

  ServerFixture(Path dataDir, boolean allowRemote) {
    this(dataDir, allowRemote, dev.atelier.core.edit.LocalEditor.NO_GROUNDER);
  }

  ServerFixture(Path dataDir, boolean allowRemote, dev.atelier.core.edit.Grounder grounder) {
    this(
        dataDir,
        grounder,
        new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), allowRemote));
  }

  /** A server that says it runs the demo models (model id {@code demo}, {@code demo: true}). */
  static ServerFixture demo(Path dataDir, dev.atelier.core.edit.Grounder grounder) {
    return new ServerFixture(
        dataDir,
        grounder,
        new ServerConfig("127.0.0.1", 0, "demo", 64, Instant.now(), false).withDemo(true));
  }

  /** A server held to {@code limits} instead of the default request limits. */
  static ServerFixture withLimits(Path dataDir, RequestLimits limits) {
    return new ServerFixture(
        dataDir,
        dev.atelier.core.edit.LocalEditor.NO_GROUNDER,
        new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false)
            .withLimits(limits));
  }

  /** The test header that names the request's owner ({@link #withTestCallers}). */
  static final String TEST_OWNER = "X-Test-Owner";

  /**
   * A server whose requests are made by the owner the {@value #TEST_OWNER} header names (scopes
   * images and sessions), by an admin when it names {@code admin}, and anonymously without it:
   * callers as authentication will set them, before API keys exist.
   */
  static ServerFixture withTestCallers(Path dataDir) {
    return withTestCallers(
        dataDir, new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false));
  }

  /** {@link #withTestCallers(Path)} with {@code config} (e.g. a job queue of its own size). */
  static ServerFixture withTestCallers(Path dataDir, ServerConfig config) {
    return new ServerFixture(
        dataDir, dev.atelier.core.edit.LocalEditor.NO_GROUNDER, config, ServerFixture::testCallers);
  }

  /**
   * {@link #withTestCallers(Path, ServerConfig)} over the database {@code databaseUrl} names (a
   * PostgreSQL server of the test's own, say) instead of SQLite in the data folder.
   */
  static ServerFixture withTestCallersOn(Path dataDir, String databaseUrl, ServerConfig config) {
    return new ServerFixture(
        dataDir,
        dev.atelier.core.edit.LocalEditor.NO_GROUNDER,
        config,
        ServerFixture::testCallers,
        Stores.blobs(dataDir),
        Stores.open(dataDir, databaseUrl));
  }

  /** Sets the caller the {@value #TEST_OWNER} header names. */
  private static void testCallers(io.javalin.config.JavalinConfig c) {
    c.routes.before(
        ctx -> {
          String owner = ctx.header(TEST_OWNER);
          if (owner != null) {
            java.util.Set<String> scopes =
                owner.equals("admin")
                    ? java.util.Set.of("images", "sessions", "admin")
                    : java.util.Set.of("images", "sessions");
            ctx.attribute(Caller.ATTRIBUTE, new Caller("key_" + owner, owner, scopes, 0, 0, 0));
          }
        });
  }

  /** A server with {@code config} (e.g. small request limits and a short idle timeout). */
  static ServerFixture withConfig(Path dataDir, ServerConfig config) {
    return new ServerFixture(dataDir, dev.atelier.core.edit.LocalEditor.NO_GROUNDER, config);
  }

  /**
   * A server with {@code config} whose requests are made by the {@link Caller} {@code callers}
   * names for their {@code X-Test-Key} header (anonymous without one): a stand-in for
   * authentication.
   */
  static ServerFixture withCallers(
      Path dataDir, ServerConfig config, java.util.Map<String, Caller> callers) {
    return new ServerFixture(
        dataDir,
        dev.atelier.core.edit.LocalEditor.NO_GROUNDER,
        config,
        app ->
            app.routes.before(
                ctx -> {
                  Caller c = callers.get(String.valueOf(ctx.header(TEST_KEY)));
                  if (c != null) {
                    ctx.attribute(Caller.ATTRIBUTE, c);
                  }
                }));
  }

  /** The header {@link #withCallers} reads the caller from. */
  static final String TEST_KEY = "X-Test-Key";

  private ServerFixture(
      Path dataDir, dev.atelier.core.edit.Grounder grounder, ServerConfig config) {
    this(dataDir, grounder, config, c -> {});
  }

  /**
   * A server with {@code config} over {@code blobs} (an S3 store, say) instead of the data folder's
   * files; the caller closes {@code blobs}.
   */
  static ServerFixture withBlobs(Path dataDir, BlobStore blobs, ServerConfig config) {
    return new ServerFixture(
        dataDir, dev.atelier.core.edit.LocalEditor.NO_GROUNDER, config, c -> {}, blobs);
  }

  private ServerFixture(
      Path dataDir,
      dev.atelier.core.edit.Grounder grounder,
      ServerConfig config,
      java.util.function.Consumer<io.javalin.config.JavalinConfig> before) {
    this(dataDir, grounder, config, before, Stores.blobs(dataDir));
  }

  /**
   * {@link #withCallers} over the database {@code databaseUrl} names (a PostgreSQL schema shared
   * with other fixtures, say) instead of SQLite in the data folder.
   */
  static ServerFixture withCallersOn(
      Path dataDir,
      String databaseUrl,
      ServerConfig config,
      java.util.Map<String, Caller> callers) {
    return new ServerFixture(
        dataDir,
        dev.atelier.core.edit.LocalEditor.NO_GROUNDER,
        config,
        app ->
            app.routes.before(
                ctx -> {
                  Caller c = callers.get(String.valueOf(ctx.header(TEST_KEY)));
                  if (c != null) {
                    ctx.attribute(Caller.ATTRIBUTE, c);
                  }
                }),
        Stores.blobs(dataDir),
        Stores.open(dataDir, databaseUrl));
  }

  private ServerFixture(
      Path dataDir,
      dev.atelier.core.edit.Grounder grounder,
      ServerConfig config,
      java.util.function.Consumer<io.javalin.config.JavalinConfig> before,
      BlobStore blobs) {
    this(dataDir, grounder, config, before, blobs, Stores.open(dataDir, ""));
  }

  private ServerFixture(
      Path dataDir,
      dev.atelier.core.edit.Grounder grounder,
      ServerConfig config,
      java.util.function.Consumer<io.javalin.config.JavalinConfig> before,
      BlobStore blobs,
      MetadataStore metadata) {
    this.dataDir = dataDir;
    this.metadata = metadata;
    this.blobs = blobs;
    this.server =
        AtelierServer.start(
            engine,
            grounder,
            new dev.atelier.core.edit.EditPlanner(),
            metadata,
            blobs,
            config,
            before);
  }

  String base() {
    return "http://127.0.0.1:" + server.port();
  }

  record Reply(int status, String body, JsonValue.Obj json) {}

  Reply post(String path, String json) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(base() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return reply(http.send(req, HttpResponse.BodyHandlers.ofString()));
  }

  Reply get(String path) throws IOException, InterruptedException {
    return reply(
        http.send(
            HttpRequest.newBuilder(URI.create(base() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString()));
  }

  Reply delete(String path) throws IOException, InterruptedException {
    return reply(
        http.send(
            HttpRequest.newBuilder(URI.create(base() + path)).DELETE().build(),
            HttpResponse.BodyHandlers.ofString()));
  }

  /**
   * A request made by {@code owner} ({@value #TEST_OWNER}; {@code ""} sends none, so the request is
   * anonymous); {@code json} is the body of a POST, {@code null} for GET and DELETE.
   */
  Reply as(String owner, String method, String path, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path));
    if (!owner.isEmpty()) {
      b.header(TEST_OWNER, owner);
    }
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        json == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    return reply(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  byte[] bytes(String url) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray())
        .body();
  }

  /**
   * Jackson with its default, strict settings: no NaN or Infinity literals, no comments, no single
   * quotes, no trailing tokens. Every JSON answer of every server test goes through it, so a
   * response that only our lenient core parser could read fails the test that produced it.
   */
  private static final com.fasterxml.jackson.databind.ObjectMapper STRICT =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Fails with the body when a JSON response is not strict RFC 8259 JSON. */
  static void assertStrictJson(String body) {
    try {
      STRICT.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("response is not strict JSON (" + e.getMessage() + "): " + body, e);
    }
  }

  private static Reply reply(HttpResponse<String> r) {
    if (r.headers()
        .firstValue("Content-Type")
        .orElse("")
        .toLowerCase(java.util.Locale.ROOT)
        .startsWith("application/json")) {
      assertStrictJson(r.body());
    }
    JsonValue.Obj json = null;
    try {
      if (Json.parse(r.body()) instanceof JsonValue.Obj o) {
        json = o;
      }
    } catch (IllegalArgumentException e) {
      // not JSON; tests look at body()
    }
    return new Reply(r.statusCode(), r.body(), json);
  }

  @Override
  public void close() {
    server.close();
    metadata.close();
  }
}
