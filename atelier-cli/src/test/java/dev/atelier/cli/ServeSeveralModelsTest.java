package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atelier serve --model A --model B}: both listed, the second loaded on first use. */
class ServeSeveralModelsTest {
  @TempDir Path data;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void serveWithTwoModelsListsBothAndLoadsTheSecondOnFirstUse() throws Exception {
    try (InProcessServe serve =
        InProcessServe.start(
            "--port",
            "0",
            "--data-dir",
            data.toString(),
            "--model",
            AtelierCommandTest.model("tiny-sd"),
            "--model",
            AtelierCommandTest.model("tiny-sd-inpaint"))) {
      int port = serve.port();
      assertThat(serve.out()).contains("model:      tiny-sd, tiny-sd-inpaint (the first is");

      List<JsonValue.Obj> listed = models(port);
      assertThat(listed)
          .extracting(m -> m.string("id", ""))
          .containsExactly("tiny-sd", "tiny-sd-inpaint");
      assertThat(listed)
          .extracting(m -> m.string("kind", ""))
          .containsExactly("text-to-image", "inpainting");
      assertThat(listed.get(1).string("state", "")).isEqualTo("not_loaded");

      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"prompt\":\"a cup\",\"steps\":2,\"model\":\"tiny-sd-inpaint\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // The request reached the inpainting model, which loaded and refused text-to-image itself.
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(r.body()).contains("model tiny-sd-inpaint is an inpainting model");
      assertThat(models(port).get(1).string("state", "")).isEqualTo("ready");
    }
  }

  @Test
  void withMaxMemoryTheLeastRecentlyUsedModelUnloadsTheFirstToo() throws Exception {
    String first = AtelierCommandTest.model("tiny-sd");
    String second = AtelierCommandTest.model("tiny-sd-inpaint");
    // Room for either model, not both.
    long budget =
        Math.max(MemorySize.estimate(Path.of(first)), MemorySize.estimate(Path.of(second))) + 1;
    try (InProcessServe serve =
        InProcessServe.start(
            "--port",
            "0",
            "--data-dir",
            data.toString(),
            "--model",
            first,
            "--model",
            second,
            "--max-memory",
            Long.toString(budget))) {
      int port = serve.port();
      assertThat(serve.out()).contains("loaded, the least recently used unload first");
      await(() -> states(port).equals(List.of("ready", "not_loaded")), "the first model loads");

      assertThat(generate(port, "tiny-sd-inpaint").statusCode()).isEqualTo(400);
      assertThat(states(port)).containsExactly("not_loaded", "ready");

      HttpResponse<String> again = generate(port, "tiny-sd");
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
      assertThat(states(port)).containsExactly("ready", "not_loaded");
    }
  }

  @Test
  void maxMemoryMustBeASize() {
    AtelierCommandTest.Run r =
        AtelierCommandTest.run(
            "serve",
            "--data-dir",
            data.toString(),
            "--model",
            AtelierCommandTest.model("tiny-sd"),
            "--max-memory",
            "lots");
    assertThat(r.code()).as(r.stderr()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("--max-memory must be a size like 12g, 800m or 1.5GiB but was 'lots'");
  }

  @Test
  void memorySizesParseWithBinaryUnits() {
    assertThat(MemorySize.parse("12g")).isEqualTo(12L << 30);
    assertThat(MemorySize.parse("800m")).isEqualTo(800L << 20);
    assertThat(MemorySize.parse("1.5GiB")).isEqualTo(3L << 29);
    assertThat(MemorySize.parse("4096")).isEqualTo(4096);
    assertThatThrownBy(() -> MemorySize.parse("0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--max-memory must be at least 1 byte and below 8 EiB but was '0'");
  }

  private HttpResponse<String> generate(int port, String model) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/images/generations"))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"prompt\":\"a cup\",\"steps\":2,\"model\":\"" + model + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> states(int port) throws Exception {
    return models(port).stream().map(m -> m.string("state", "")).toList();
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(Check condition, String what) throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(20).toNanos());
    }
  }

  @Test
  void aCommandThatRunsOneModelRefusesTwo() {
    AtelierCommandTest.Run r =
        AtelierCommandTest.run(
            "generate",
            "a cup",
            "--model",
            AtelierCommandTest.model("tiny-sd"),
            "--model",
            AtelierCommandTest.model("tiny-sd-inpaint"),
            "--steps",
            "2",
            "--out",
            data.toString(),
            "--quiet");
    assertThat(r.code()).as(r.stderr()).isEqualTo(2);
    assertThat(r.stderr())
        .contains("--model is given once here (serve takes several) but was given 2 times");
  }

  private List<JsonValue.Obj> models(int port) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models")).build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body()).asObject().array("data").stream().map(JsonValue::asObject).toList();
  }
}
