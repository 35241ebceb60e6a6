package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code atelier bench-server}: against a self-started demo server in a child JVM, and against
 * servers that fail. Counts only: speed is never asserted.
 */
class BenchServerCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void loadsASelfStartedDemoServerAndAccountsForEveryRequest() throws Exception {
    AtelierCommandTest.Run r =
        AtelierCommandTest.run(
            "bench-server",
            "--requests",
            "12",
            "--concurrency",
            "4",
            "--size",
            "64x64",
            "--steps",
            "1",
            "--server-java-opts",
            "-Xmx512m",
            "--json");

    assertThat(r.code()).as(r.stderr()).isZero();
    JsonNode report = JSON.readTree(r.stdout());
    JsonNode responses = report.get("responses");
    int accounted = 0;
    for (JsonNode count : responses) {
      accounted += count.asInt();
    }
    assertThat(accounted).isEqualTo(12);
    assertThat(responses.get("5xx").asInt()).isZero();
    assertThat(responses.get("connection_errors").asInt()).isZero();
    // 4 clients fit the job queue (1 worker, 32 queued): every request is served, each with its
    // two images.
    assertThat(responses.get("2xx").asInt()).as(r.stderr()).isEqualTo(12);
    assertThat(report.get("images").asInt()).isEqualTo(24);
    assertThat(report.get("latency_s").get("max").asDouble()).isPositive();
    assertThat(report.get("server_exit_code").isNull()).isTrue();
    assertThat(r.stderr()).contains("responses        2xx 12", "server RSS       baseline");

    assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "RSS is read from /proc (Linux)");
    JsonNode rss = report.get("server_rss_mib");
    assertThat(rss.get("baseline").asDouble()).isPositive();
    assertThat(rss.get("peak").asDouble()).isPositive();
    assertThat(rss.get("final").asDouble()).isPositive();
  }

  @Test
  void fiveHundredsFailTheRun() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    HttpServer failing =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    failing.createContext(
        "/v1/images/generations",
        exchange -> {
          seen.incrementAndGet();
          byte[] body =
              "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(500, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    failing.start();
    try {
      String url = "http://127.0.0.1:" + failing.getAddress().getPort();
      AtelierCommandTest.Run r =
          AtelierCommandTest.run(
              "bench-server",
              "--url",
              url + "/v1",
              "--requests",
              "5",
              "--concurrency",
              "2",
              "--json");

      assertThat(r.code()).isEqualTo(1);
      assertThat(seen.get()).isEqualTo(5);
      JsonNode report = JSON.readTree(r.stdout());
      assertThat(report.get("responses").get("5xx").asInt()).isEqualTo(5);
      assertThat(report.get("latency_s").isNull()).isTrue();
      assertThat(report.get("server_rss_mib").isNull()).isTrue();
      assertThat(report.get("errors").get(0).asText()).startsWith("500: ").contains("boom");
      assertThat(r.stderr())
          .contains("the server failed under load: 5 responses were 5xx and 0 requests got no")
          .contains("server RSS       not measured");
    } finally {
      failing.stop(0);
    }
  }

  @Test
  void requestsWithoutAResponseFailTheRun() throws Exception {
    AtelierCommandTest.Run r =
        AtelierCommandTest.run(
            "bench-server",
            "--url",
            "http://127.0.0.1:" + closedPort(),
            "--requests",
            "3",
            "--concurrency",
            "3");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.stdout()).contains("connection errors 3").contains("ConnectException");
    assertThat(r.stderr()).contains("0 responses were 5xx and 3 requests got no response");
  }

  @Test
  void serverArgsGoToTheChildsServeCommandLine() {
    // An option `serve` does not know: the child ends with its usage error, which bench-server
    // shows, so the argument reached the child's command line (both spellings).
    AtelierCommandTest.Run r =
        AtelierCommandTest.run(
            "bench-server",
            "--requests",
            "1",
            "--server-java-opts",
            "-Xmx256m",
            "--server-arg",
            "--no-such-serve-option",
            "--server-arg=--another-one");

    assertThat(r.code()).as(r.stdout() + r.stderr()).isNotZero();
    assertThat(r.stderr())
        .contains("the server exited with code 2 before it answered")
        .contains("--no-such-serve-option")
        .contains("--another-one");
  }

  @Test
  void badOptionsAreRefusedNamingTheOption() {
    AtelierCommandTest.Run zero = AtelierCommandTest.run("bench-server", "--requests", "0");
    assertThat(zero.code()).isEqualTo(2);
    assertThat(zero.stderr()).contains("--requests must be at least 1 but was 0");

    AtelierCommandTest.Run pid = AtelierCommandTest.run("bench-server", "--server-pid", "1");
    assertThat(pid.code()).isEqualTo(2);
    assertThat(pid.stderr()).contains("--server-pid names the process behind --url");

    AtelierCommandTest.Run url = AtelierCommandTest.run("bench-server", "--url", "ftp://x");
    assertThat(url.code()).isEqualTo(2);
    assertThat(url.stderr())
        .contains("--url must be an http(s) URL such as http://127.0.0.1:8080 but was 'ftp://x'");

    AtelierCommandTest.Run arg =
        AtelierCommandTest.run(
            "bench-server", "--url", "http://127.0.0.1:1", "--server-arg", "--preload");
    assertThat(arg.code()).isEqualTo(2);
    assertThat(arg.stderr())
        .contains("--server-arg applies to the server bench-server starts, but --url was given");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
