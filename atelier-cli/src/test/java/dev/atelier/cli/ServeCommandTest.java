package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code atelier serve} on the real local engine with the tiny fixture model. */
class ServeCommandTest {
  @TempDir Path data;

  @Test
  void aUrlTtlThatIsNoDurationIsRefusedBeforeAnythingLoads() {
    CommandLine cli = new CommandLine(new ServeCommand());
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err, true));
    int code = cli.execute("--url-ttl", "soon", "--data-dir", data.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "--url-ttl must be a positive number of seconds or a duration (3600, 90m, PT2H) but"
                + " was 'soon'");
  }

  @Test
  void servesGenerationsFromTheLocalEngine() throws Exception {
    try (InProcessServe serve =
        InProcessServe.start(
            "--port",
            "0",
            "--preload",
            "--max-json-mb",
            "1",
            "--url-ttl",
            "90m",
            "--cors-origin",
            "https://app.example.com",
            "--data-dir",
            data.toString(),
            "--model",
            AtelierCommandTest.model("tiny-sd"))) {
      int port = serve.port();
      assertThat(declaredLengthAnswer(port, 2 << 20))
          .as("--max-json-mb 1 refuses a declared 2 MiB body at once")
          .startsWith("HTTP/1.1 413 ")
          .contains("at most 1048576 are accepted (serve --max-json-mb)");
      assertThat(serve.out())
          .contains("Atelier listening on http://127.0.0.1:" + port + "/v1")
          .contains("studio:     http://127.0.0.1:" + port + "/")
          .contains("model:      tiny-sd")
          .contains("engine:     local (ONNX Runtime, ")
          .contains("keys:       none required")
          .contains("jobs:       1 worker, queue 32, lease 30 s, drain 60 s")
          .contains("data:       " + data.toAbsolutePath() + " (sqlite database)");
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"prompt\":\"a white ceramic coffee cup\",\"n\":2,\"steps\":2,\"seed\":7}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      Matcher m = Pattern.compile("\"b64_json\":\"([^\"]+)\"").matcher(r.body());
      assertThat(m.find()).isTrue();
      RgbImage image =
          ImageCodec.decode(Base64.getDecoder().decode(m.group(1)), ImageLimits.DEFAULT);
      assertThat(image.width()).isEqualTo(64);
      assertThat(r.body()).contains("\"seed\":7", "\"seed\":8");

      // Image URLs are signed for --url-ttl with the data dir's owner-only secret; CORS allows
      // the --cors-origin.
      Path secret = data.resolve("url-secret");
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  java.nio.file.Files.getPosixFilePermissions(secret)))
          .isEqualTo("rw-------");
      long now = java.time.Instant.now().getEpochSecond();
      HttpResponse<String> urls =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
                      .header("Content-Type", "application/json")
                      .header("Origin", "https://app.example.com")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"prompt\":\"a cup\",\"steps\":2,\"response_format\":\"url\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(urls.headers().firstValue("Access-Control-Allow-Origin"))
          .hasValue("https://app.example.com");
      Matcher expires = Pattern.compile("expires=(\\d+)&sig=").matcher(urls.body());
      assertThat(expires.find()).as(urls.body()).isTrue();
      assertThat(Long.parseLong(expires.group(1))).isBetween(now + 5400 - 60, now + 5400 + 60);

      // Streamed: the local engine's latent previews, scaled to the output size, then the image.
      HttpResponse<String> streamed =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"prompt\":\"a white ceramic coffee cup\",\"steps\":4,\"seed\":7,"
                                  + "\"stream\":true,\"partial_images\":2}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
      assertThat(streamed.headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/event-stream");
      Matcher events =
          Pattern.compile("event: (\\S+)\ndata: \\{\"type\":\"\\1\",\"b64_json\":\"([^\"]+)\"")
              .matcher(streamed.body());
      java.util.List<String> names = new java.util.ArrayList<>();
      while (events.find()) {
        names.add(events.group(1));
        RgbImage frame =
            ImageCodec.decode(Base64.getDecoder().decode(events.group(2)), ImageLimits.DEFAULT);
        assertThat(frame.width()).isEqualTo(64);
        assertThat(frame.height()).isEqualTo(64);
      }
      assertThat(names)
          .containsExactly(
              "image_generation.partial_image",
              "image_generation.partial_image",
              "image_generation.completed");
    }
    assertThat(data.resolve("atelier.db")).exists();
  }

  /** Sends only the headers of a JSON POST declaring {@code length} bytes; returns the answer. */
  private static String declaredLengthAnswer(int port, long length) throws java.io.IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /v1/images/generations HTTP/1.1\r\nHost: localhost\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + length
                      + "\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(
          socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
