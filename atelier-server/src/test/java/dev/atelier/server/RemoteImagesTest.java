package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote image URLs: off unless allowed, and never to private addresses. */
class RemoteImagesTest {
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
  void theConnectionUsesTheAddressesThatWereChecked() throws Exception {
    // A made-up name only this resolver knows: fetching it works only if the connection uses the
    // checked answer instead of resolving again (what defeats DNS rebinding).
    byte[] png = ImagesApiTest.png(ImagesApiTest.solid(8, 8, 0x336699));
    com.sun.net.httpserver.HttpServer images =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    images.createContext(
        "/cat.png",
        x -> {
          x.sendResponseHeaders(200, png.length);
          x.getResponseBody().write(png);
          x.close();
        });
    images.start();
    try {
      java.util.concurrent.atomic.AtomicInteger lookups =
          new java.util.concurrent.atomic.AtomicInteger();
      RemoteImages.Resolver resolver =
          host -> {
            lookups.incrementAndGet();
            if (!host.equals("images.pinned.test")) {
              throw new java.net.UnknownHostException(host);
            }
            return java.util.List.of(InetAddress.getLoopbackAddress());
          };
      String url = "http://images.pinned.test:" + images.getAddress().getPort() + "/cat.png";
      // A policy that lets loopback through stands in for a public address.
      byte[] got = new RemoteImages(true, 1 << 20, resolver, a -> false).fetch("image", url);
      assertThat(got).isEqualTo(png);
      // The same answer, refused: the hook refuses it before any connection is made.
      RemoteImages strict = new RemoteImages(true, 1 << 20, resolver, RemoteImages::isPrivate);
      assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> strict.fetch("image", url)))
          .hasMessageContaining("is a loopback, private or link-local address");
      assertThat(lookups.get()).isGreaterThanOrEqualTo(2);
    } finally {
      images.stop(0);
    }
  }

  @Test
  void privateRangesAreRecognised() throws Exception {
    for (String a :
        new String[] {
          "10.1.2.3",
          "192.168.0.1",
          "172.16.5.5",
          "169.254.1.1",
          "::1",
          "fd00::1",
          "100.64.0.1",
          "0.0.0.0"
        }) {
      assertThat(RemoteImages.isPrivate(InetAddress.getByName(a))).as(a).isTrue();
    }
    for (String a : new String[] {"8.8.8.8", "1.1.1.1", "2606:4700::1111"}) {
      assertThat(RemoteImages.isPrivate(InetAddress.getByName(a))).as(a).isFalse();
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
