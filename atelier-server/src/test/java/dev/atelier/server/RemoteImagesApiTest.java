package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote image URLs over HTTP: off unless allowed, and never to private addresses. */
class RemoteImagesApiTest {
  @TempDir Path dir;

  @Test
  void refusedUnlessTheOperatorAllowsIt() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      ServerFixture.Reply r =
          f.post(
              "/v1/images/edits", "{\"prompt\":\"x\",\"image\":\"https://example.com/cat.png\"}");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().object("error").orElseThrow().string("message", ""))
          .contains("not fetched unless the server runs with --allow-remote-images");
    }
  }

  @Test
  void neverFetchesFromLoopbackEvenWhenAllowed() throws Exception {
    try (ServerFixture f = new ServerFixture(dir, true)) {
      String own = f.base() + "/v1/models";
      ServerFixture.Reply r =
          f.post("/v1/images/edits", "{\"prompt\":\"x\",\"image\":\"" + own + "\"}");
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().object("error").orElseThrow().string("message", ""))
          .contains(
              "refusing to fetch 127.0.0.1: 127.0.0.1 is a loopback, private or link-local address");
    }
  }

  @Test
  void inpaintingRecordsItsMaskAndTimingsInProvenance() throws Exception {
    try (ServerFixture f = new ServerFixture(dir)) {
      String img =
          java.util.Base64.getEncoder()
              .encodeToString(ImagesApiTest.png(ImagesApiTest.solid(64, 64, 0x404040)));
      String mask =
          java.util.Base64.getEncoder()
              .encodeToString(ImagesApiTest.png(ImagesApiTest.leftHalfMask(64, 64)));
      ServerFixture.Reply r =
          f.post(
              "/v1/images/edits",
              "{\"prompt\":\"green\",\"image\":\"" + img + "\",\"mask\":\"" + mask + "\"}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      String id = r.json().array("data").get(0).asObject().string("id", "");
      var provenance = f.get("/v1/images/" + id).json().object("provenance").orElseThrow();
      assertThat(provenance.string("mask_id", "")).startsWith("img_");
      assertThat(provenance.string("elapsed_ms", "")).matches("\\d+");
      assertThat(f.get("/v1/images/" + provenance.string("mask_id", "")).status()).isEqualTo(200);
    }
  }
}
