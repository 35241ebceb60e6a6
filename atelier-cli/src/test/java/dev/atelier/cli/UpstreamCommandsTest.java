package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code atelier doctor} and {@code atelier serve --engine openai} against a local upstream that
 * knows one model and one key; the key never shows in what the commands print.
 */
class UpstreamCommandsTest {
  private static final String KEY = "sk-cli-test-abcdef0123456789";
  @TempDir Path data;
  private HttpServer upstream;
  private final AtomicInteger generations = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext(
        "/v1/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          boolean authorised =
              ("Bearer " + KEY).equals(ex.getRequestHeaders().getFirst("Authorization"));
          String path = ex.getRequestURI().getPath();
          int status;
          String body;
          if (!authorised) {
            status = 401;
            body =
                "{\"error\":{\"message\":\"Incorrect API key provided.\",\"code\":\"invalid_api_key\"}}";
          } else if (path.equals("/v1/models/gpt-image-2")) {
            status = 200;
            body = "{\"id\":\"gpt-image-2\",\"object\":\"model\",\"owned_by\":\"system\"}";
          } else if (path.startsWith("/v1/models/")) {
            status = 404;
            body =
                "{\"error\":{\"message\":\"The model does not exist\",\"code\":\"model_not_found\"}}";
          } else if (path.equals("/v1/images/generations")) {
            generations.incrementAndGet();
            status = 200;
            body =
                "{\"created\":1,\"data\":[{\"b64_json\":\""
                    + java.util.Base64.getEncoder()
                        .encodeToString(
                            dev.atelier.core.image.ImageCodec.encodePng(
                                new dev.atelier.core.image.RgbImage(16, 16, new byte[16 * 16 * 3]),
                                Map.of()))
                    + "\"}],\"usage\":{\"input_tokens\":7,\"output_tokens\":11,\"total_tokens\":18}}";
          } else {
            status = 404;
            body = "{\"error\":{\"message\":\"no such route\"}}";
          }
          byte[] out = body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(status, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    upstream.start();
  }

  @AfterEach
  void stop() {
    upstream.stop(0);
  }

  private Map<String, String> env(String key) {
    return Map.of(
        "OPENAI_API_KEY",
        key,
        "OPENAI_BASE_URL",
        "http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1");
  }

  private record Run(int code, String out) {}

  private Run doctor(Map<String, String> env, String... args) {
    DoctorCommand doctor = new DoctorCommand();
    doctor.env = env;
    CommandLine cli = new CommandLine(doctor);
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    int code = cli.execute(args);
    return new Run(code, out.toString());
  }

  @Test
  void doctorPassesWithAGoodKeyAndAVisibleModel() {
    Run r = doctor(env(KEY), "--engine", "openai");
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out()).contains("gpt-image-2", "reachable", "key accepted", "model visible");
    assertThat(r.out()).doesNotContain("FAIL").doesNotContain(KEY);
  }

  @Test
  void doctorFailsNamingTheCheckForABadKeyAnUnknownModelOrNoKey() {
    Run badKey = doctor(env("sk-wrong-key-000000000000"), "--engine", "openai");
    assertThat(badKey.code()).isEqualTo(4);
    assertThat(badKey.out()).contains("FAIL  key accepted").doesNotContain("sk-wrong-key");

    Run badModel = doctor(env(KEY), "--engine", "openai", "--upstream-model", "gpt-image-9");
    assertThat(badModel.code()).isEqualTo(4);
    assertThat(badModel.out()).contains("FAIL  model visible").contains("gpt-image-9");

    Run noKey = doctor(Map.of(), "--engine", "openai");
    assertThat(noKey.code()).isEqualTo(4);
    assertThat(noKey.out()).contains("OPENAI_API_KEY");
  }

  @Test
  void doctorChecksTheLocalModelToo() {
    Run ok = doctor(Map.of(), "--model", AtelierCommandTest.model("tiny-sd"));
    assertThat(ok.code()).as(ok.out()).isZero();
    assertThat(ok.out()).contains("ok    model: tiny-sd");
    Run missing = doctor(Map.of(), "--model", data.resolve("no-such-model").toString());
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.out()).startsWith("FAIL  model:");
  }

  @Test
  void serveForwardsToTheUpstreamAndNeverPrintsTheKey() throws Exception {
    ServeCommand serve = new ServeCommand();
    serve.env = env(KEY);
    CommandLine cli = new CommandLine(serve);
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    Thread t =
        new Thread(
            () -> cli.execute("--engine", "openai", "--port", "0", "--data-dir", data.toString()),
            "serve-openai-under-test");
    t.start();
    try {
      assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(out.toString()).isTrue();
      assertThat(out.toString())
          .contains("model:      gpt-image-2")
          .contains("engine:     openai, forwarding to http://127.0.0.1:");
      int port = serve.server.port();
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"prompt\":\"a lighthouse\",\"size\":\"16x16\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).contains("\"total_tokens\":18").doesNotContain(KEY);
      assertThat(generations.get()).isEqualTo(1);
    } finally {
      serve.stop.countDown();
      t.join(30_000);
    }
    assertThat(out.toString()).doesNotContain(KEY);
  }

  @Test
  void serveRefusesAnUnknownEngine() {
    ServeCommand serve = new ServeCommand();
    CommandLine cli = new CommandLine(serve);
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    assertThat(cli.execute("--engine", "dalle", "--data-dir", data.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--engine must be local or openai but was 'dalle'");
  }
}
