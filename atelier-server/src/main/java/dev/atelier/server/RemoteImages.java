package dev.atelier.server;

import dev.atelier.core.AtelierException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fetches http(s) image URLs named in requests, when the operator allows it ({@code atelier serve
 * --allow-remote-images}): public addresses only (no loopback, private, link-local, unique-local or
 * multicast targets, checked for every address the name resolves to), no redirects, 10 s, and at
 * most {@link RequestLimits#maxImageBytes}.
 */
final class RemoteImages {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final boolean allowed;
  private final long maxBytes;
  private final HttpClient http;

  RemoteImages(boolean allowed) {
    this(allowed, RequestLimits.DEFAULT.maxImageBytes());
  }

  /** Fetches when {@code allowed}, at most {@code maxBytes} per image. */
  RemoteImages(boolean allowed, long maxBytes) {
    this.allowed = allowed;
    this.maxBytes = maxBytes;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  byte[] fetch(String field, String url) {
    if (!allowed) {
      throw new AtelierException.InvalidRequest(
          field,
          field
              + ": remote image URLs are not fetched unless the server runs with"
              + " --allow-remote-images; send the image as a data URL, base64, a multipart file or"
              + " an Atelier image id");
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new AtelierException.InvalidRequest(
          field, field + " is not a valid URL: " + e.getMessage());
    }
    String host = uri.getHost();
    if (host == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new AtelierException.InvalidRequest(
          field, field + " must be an http(s) URL with a host but was " + url);
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (isPrivate(a)) {
          throw new AtelierException.InvalidRequest(
              field,
              field
                  + ": refusing to fetch "
                  + host
                  + ": "
                  + a.getHostAddress()
                  + " is a loopback, private or link-local address");
        }
      }
    } catch (UnknownHostException e) {
      throw new AtelierException.InvalidRequest(field, field + ": unknown host " + host);
    }
    try {
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        if (r.statusCode() != 200) {
          throw new AtelierException.InvalidRequest(
              field, field + ": " + url + " answered HTTP " + r.statusCode() + ", expected 200");
        }
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
          throw new AtelierException.PayloadTooLarge(
              field, field + ": " + url + " is larger than " + maxBytes + " bytes");
        }
        return bytes;
      }
    } catch (IOException e) {
      throw new AtelierException.InvalidRequest(
          field, field + ": fetching " + url + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AtelierException.InvalidRequest(
          field, field + ": fetching " + url + " was interrupted");
    }
  }

  static boolean isPrivate(InetAddress a) {
    if (a.isLoopbackAddress()
        || a.isSiteLocalAddress()
        || a.isLinkLocalAddress()
        || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address) {
      return (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
    }
    // 100.64.0.0/10 (carrier-grade NAT) and 0.0.0.0/8 are not public either.
    return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64 || b[0] == 0;
  }
}
