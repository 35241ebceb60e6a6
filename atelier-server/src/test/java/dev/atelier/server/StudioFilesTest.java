package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The studio's static files are served at / while the API routes and JSON 404s stay as they were.
 */
class StudioFilesTest {
  @TempDir Path dir;

  private static HttpResponse<String> get(ServerFixture f, String path) throws Exception {
    return f.http.send(
        HttpRequest.newBuilder(URI.create(f.base() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheStudioAtTheRootAndItsModules() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      HttpResponse<String> index = get(f, "/");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
      assertThat(index.body()).contains("<title>Atelier Studio</title>", "/js/main.js");

      for (String module :
          new String[] {
            "api",
            "generate",
            "session",
            "gallery",
            "mask",
            "zip",
            "state",
            "ui",
            "references",
            "jobs",
            "work",
            "main"
          }) {
        HttpResponse<String> js = get(f, "/js/" + module + ".js");
        assertThat(js.statusCode()).as(module).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElse(""))
            .as(module)
            .containsIgnoringCase("javascript");
      }
      HttpResponse<String> css = get(f, "/studio.css");
      assertThat(css.headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
    }
  }

  @Test
  void apiRoutesAndJsonNotFoundsAreUnaffected() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply models = f.get("/v1/models");
      assertThat(models.status()).isEqualTo(200);
      assertThat(models.json().string("object", "")).isEqualTo("list");

      ServerFixture.Reply noRoute = f.get("/v1/nothing-here");
      assertThat(noRoute.status()).isEqualTo(404);
      assertThat(noRoute.json().object("error").orElseThrow().string("code", ""))
          .isEqualTo("not_found");

      ServerFixture.Reply noFile = f.get("/no-such-file.js");
      assertThat(noFile.status()).isEqualTo(404);
      assertThat(noFile.json()).as(noFile.body()).isNotNull();

      ServerFixture.Reply noImage = f.get("/v1/images/img_doesnotexist");
      assertThat(noImage.status()).isEqualTo(404);
      assertThat(noImage.json().object("error").orElseThrow().string("param", "")).isEqualTo("id");
    }
  }
}
