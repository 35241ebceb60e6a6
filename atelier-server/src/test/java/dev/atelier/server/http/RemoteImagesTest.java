package dev.atelier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Remote image fetching: pinned to the checked addresses, and never to private ones. */
class RemoteImagesTest {
  @Test
  void theConnectionUsesTheAddressesThatWereChecked() throws Exception {
    // A made-up name only this resolver knows: fetching it works only if the connection uses the
    // checked answer instead of resolving again (what defeats DNS rebinding).
    byte[] png = solidPng(8, 8, 0x336699);
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

  /** A {@code w}x{@code h} PNG of one colour. */
  private static byte[] solidPng(int w, int h, int rgb) throws Exception {
    java.awt.image.BufferedImage b =
        new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        b.setRGB(x, y, rgb);
      }
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(b, "png", out);
    return out.toByteArray();
  }
}
