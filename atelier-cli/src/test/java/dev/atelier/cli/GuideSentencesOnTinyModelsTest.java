package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's and the practitioner guide's edit sentences (English and Chinese, the table the
 * server's EditSentencesApiTest uses) as session rounds on the real tiny models ({@code serve
 * --demo}: tiny Stable Diffusion, its inpainting model and the tiny CLIPSeg): every sentence is a
 * 200 (never "target lies inside the keep regions") whose plan names the expected target, and no
 * pixel outside the edited region changes.
 */
class GuideSentencesOnTinyModelsTest {
  static final Path SENTENCES =
      Path.of(
          "..",
          "atelier-server",
          "src",
          "test",
          "resources",
          "dev",
          "atelier",
          "server",
          "edit-sentences.tsv");

  @TempDir static Path data;
  static ServeCommand serve;
  static Thread thread;
  static String base;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    serve = new ServeCommand();
    CommandLine cli = new CommandLine(serve);
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    thread =
        new Thread(
            () -> cli.execute("--demo", "--port", "0", "--data-dir", data.toString()),
            "serve-demo-sentences");
    thread.start();
    assertThat(serve.started.await(60, TimeUnit.SECONDS)).as(out.toString()).isTrue();
    base = "http://127.0.0.1:" + serve.server.port();
  }

  @AfterAll
  static void stop() throws Exception {
    serve.stop.countDown();
    assertThat(serve.closed.await(30, TimeUnit.SECONDS)).isTrue();
    thread.join(10_000);
  }

  static JsonValue.Obj post(String path, String body, int status) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " " + body + " -> " + r.body()).isEqualTo(status);
    return (JsonValue.Obj) Json.parse(r.body());
  }

  static String quoted(String s) {
    return Json.write(new JsonValue.Str(s));
  }

  @TestFactory
  Stream<DynamicTest> everySentenceEditsOnlyItsRegionOnTheTinyModels() throws Exception {
    List<String[]> rows =
        Files.readAllLines(SENTENCES).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .map(l -> l.split("\t"))
            .toList();
    assertThat(rows).hasSizeGreaterThan(10);
    return rows.stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row[0],
                    () -> {
                      JsonValue.Obj session =
                          post(
                              "/v1/sessions",
                              "{\"prompt\":\"a modern living room with a light grey sofa, a lamp"
                                  + " and a rug\",\"seed\":3,\"steps\":2}",
                              201);
                      JsonValue.Obj r =
                          post(
                              "/v1/sessions/" + session.string("id", "") + "/rounds",
                              "{\"instruction\":" + quoted(row[0]) + ",\"steps\":2,\"seed\":4}",
                              200);
                      JsonValue.Obj plan = r.object("plan").orElseThrow();
                      assertThat(plan.object("target").orElseThrow().string("en", ""))
                          .isEqualTo(row[1]);
                      // The random-weight CLIPSeg often finds the phrase everywhere: then nothing
                      // lies outside the region and the report says null, never NaN.
                      JsonValue.Obj fidelity = r.object("fidelity").orElseThrow();
                      if (fidelity.number("region_fraction", -1) < 1) {
                        assertThat(fidelity.number("changed_outside", -1))
                            .as(fidelity.toString())
                            .isZero();
                      } else {
                        assertThat(fidelity.get("changed_outside"))
                            .contains(JsonValue.Null.INSTANCE);
                      }
                    }));
  }
}
