package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.atelier.core.json.Json;
import dev.atelier.server.AtelierServer;
import dev.atelier.server.ServerConfig;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code atelier jobs list|show|cancel} against a real server with API keys on. */
class JobsCommandTest {
  @TempDir Path data;

  record Run(int code, String out, String err) {}

  static Run atelier(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AtelierCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void listShowCancelAndFollowJobsOfARunningServer() throws Exception {
    Run created = atelier("keys", "create", "--name", "ci", "--data-dir", data.toString());
    assertThat(created.code()).as(created.err()).isZero();
    String key = created.out().strip();
    FakeEngine engine = new FakeEngine();
    engine.stepMillis = 20;
    try (MetadataStore metadata = Stores.open(data, "");
        AtelierServer server =
            AtelierServer.start(
                engine,
                metadata,
                Stores.blobs(data),
                new ServerConfig("127.0.0.1", 0, "fake-model", 64, Instant.now(), false))) {
      String url = "http://127.0.0.1:" + server.port();
      // One worker: the first job holds at the engine's gate, the others wait in the queue.
      String first =
          submit(url, key, "{\"prompt\":\"a\",\"steps\":10,\"response_format\":\"url\"}");
      String second = submit(url, key, "{\"prompt\":\"b\",\"steps\":10}");
      String failing = submit(url, key, "{\"prompt\":\"fail\",\"steps\":3}");

      Run all = atelier("jobs", "list", "--url", url, "--api-key", key);
      assertThat(all.code()).as(all.err()).isZero();
      List<String> lines = all.out().lines().toList();
      assertThat(lines.get(0)).matches("ID +KIND +STATUS +STEP +IMAGES +CREATED");
      assertThat(lines)
          .hasSize(4)
          .anySatisfy(
              l -> assertThat(l).matches(second + " +image_generation +queued +0/0 +0/1 +\\S+Z"));
      Run queued =
          atelier(
              "jobs",
              "list",
              "--status",
              "queued",
              "--limit",
              "5",
              "--url",
              url + "/v1/",
              "--api-key",
              key);
      assertThat(queued.out()).contains(second, failing).doesNotContain(first);

      Run cancel = atelier("jobs", "cancel", second, "--url", url, "--api-key", key);
      assertThat(cancel.code()).as(cancel.err()).isZero();
      assertThat(cancel.out()).isEqualTo(second + " cancelled\n");
      Run cancelled = atelier("jobs", "show", second, "--follow", "--url", url, "--api-key", key);
      assertThat(cancelled.code()).as("a cancelled job exits 1").isEqualTo(1);
      assertThat(cancelled.out()).contains("status:     cancelled\n");

      Run waiting = atelier("jobs", "show", failing, "--url", url, "--api-key", key);
      assertThat(waiting.code()).isZero();
      assertThat(waiting.out())
          .startsWith("id:         " + failing + "\n")
          .contains(
              "kind:       image_generation\n",
              "status:     queued\n",
              "queue:      0 job(s) ahead\n")
          .contains("started:    -\n");

      engine.gate.countDown();
      Run done = atelier("jobs", "show", first, "--follow", "--url", url, "--api-key", key);
      assertThat(done.code()).as(done.err()).isZero();
      assertThat(done.err()).contains(first + " [", "step 10/10");
      assertThat(done.out())
          .contains("status:     completed\n", "progress:   step 10/10, images 1/1\n")
          .containsPattern(
              "image: +img_\\w+ http://127\\.0\\.0\\.1:\\d+/v1/images/img_\\w+/content");

      Run failed = atelier("jobs", "show", failing, "-f", "--url", url, "--api-key", key);
      assertThat(failed.code()).isEqualTo(1);
      assertThat(failed.out())
          .contains("status:     failed\n")
          .containsPattern("error: +.*fake failure");

      Run noKey = atelier("jobs", "list", "--url", url);
      assertThat(noKey.code()).isEqualTo(1);
      assertThat(noKey.err()).startsWith("error: ").contains("API key");
      Run unknown =
          atelier("jobs", "show", "job_aaaaaaaaaaaaaaaaaaaaaaaa", "--url", url, "--api-key", key);
      assertThat(unknown.code()).isEqualTo(1);
      assertThat(unknown.err()).isEqualTo("error: no job with id 'job_aaaaaaaaaaaaaaaaaaaaaaaa'\n");
      for (Run r : List.of(all, queued, cancel, cancelled, waiting, done, failed, noKey, unknown)) {
        assertThat(r.out() + r.err()).doesNotContain(key);
      }
    }
  }

  @Test
  void followReconnectsWithLastEventIdWhenTheStreamDrops() throws Exception {
    String id = "job_bbbbbbbbbbbbbbbbbbbbbbbb";
    String running =
        "{\"id\":\""
            + id
            + "\",\"object\":\"image.job\",\"status\":\"in_progress\","
            + "\"kind\":\"generation\",\"created_at\":1,\"progress\":{\"step\":1,\"steps\":2,"
            + "\"images_done\":0,\"n\":1},\"attempts\":1}";
    String completed =
        "{\"id\":\""
            + id
            + "\",\"object\":\"image.job\",\"status\":\"completed\","
            + "\"kind\":\"generation\",\"created_at\":1,\"progress\":{\"step\":2,\"steps\":2,"
            + "\"images_done\":1,\"n\":1},\"attempts\":1,"
            + "\"result\":{\"data\":[{\"id\":\"img_cccccccccccccccccccccccc\"}]}}";
    List<String> lastEventIds = new CopyOnWriteArrayList<>();
    AtomicInteger connections = new AtomicInteger();
    HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    fake.createContext(
        "/v1/jobs/" + id,
        exchange -> {
          String body;
          if (exchange.getRequestURI().getPath().endsWith("/events")) {
            lastEventIds.add(
                String.valueOf(exchange.getRequestHeaders().getFirst("Last-Event-ID")));
            // The first connection drops after one event; the second resumes after it.
            body =
                connections.incrementAndGet() == 1
                    ? event("1", "progress", "{\"step\":1,\"steps\":2,\"images_done\":0,\"n\":1}")
                    : event("2", "progress", "{\"step\":2,\"steps\":2,\"images_done\":1,\"n\":1}")
                        + event("3", "completed", completed);
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
          } else {
            body = running;
            exchange.getResponseHeaders().add("Content-Type", "application/json");
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    fake.start();
    try {
      Run r =
          atelier(
              "jobs",
              "show",
              id,
              "--follow",
              "--url",
              "http://127.0.0.1:" + fake.getAddress().getPort());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(lastEventIds).containsExactly("null", "1");
      assertThat(r.err()).contains("step 1/2", "step 2/2");
      assertThat(r.out())
          .contains("status:     completed\n", "image:      img_cccccccccccccccccccccccc\n");
    } finally {
      fake.stop(0);
    }
  }

  @Test
  void theServerAndKeyDefaultFromTheEnvironmentAndBadUrlsAreRefused() {
    CommandLine.Model.CommandSpec spec = new CommandLine(new JobsCommand()).getCommandSpec();
    assertThat(ServerOptions.base(null, Map.of(), spec))
        .isEqualTo(URI.create("http://127.0.0.1:8080"));
    assertThat(ServerOptions.base(null, Map.of("ATELIER_URL", "https://a.example/v1/"), spec))
        .isEqualTo(URI.create("https://a.example"));
    assertThat(ServerOptions.base("http://b:9", Map.of("ATELIER_URL", "https://a.example"), spec))
        .isEqualTo(URI.create("http://b:9"));
    assertThat(ServerOptions.key(null, Map.of("ATELIER_API_KEY", "atl_x"))).isEqualTo("atl_x");
    assertThat(ServerOptions.key("atl_y", Map.of("ATELIER_API_KEY", "atl_x"))).isEqualTo("atl_y");
    assertThat(ServerOptions.key(null, Map.of())).isEmpty();

    Run bad = atelier("jobs", "list", "--url", "ftp://host");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err())
        .contains(
            "--url must be an http(s) URL such as http://127.0.0.1:8080 but was 'ftp://host'");
    Run down = atelier("jobs", "list", "--url", "http://127.0.0.1:1");
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.err()).startsWith("error: cannot reach http://127.0.0.1:1");
  }

  private static String event(String id, String type, String data) {
    return "id: " + id + "\nevent: " + type + "\ndata: " + data + "\n\n";
  }

  private static String submit(String url, String key, String json) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/v1/images/generations"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + key)
                    .header("Prefer", "respond-async")
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return Json.parse(r.body()).asObject().string("id", "");
  }
}
