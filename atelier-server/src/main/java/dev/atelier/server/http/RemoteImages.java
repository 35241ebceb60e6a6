package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.server.RequestLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Fetches http(s) image URLs named in requests, when the operator allows it ({@code atelier serve
 * --allow-remote-images}): public addresses only (no loopback, private, link-local, unique-local or
 * multicast targets, checked for every address the name resolves to), no redirects, 10 s, and at
 * most {@link RequestLimits#maxImageBytes}.
 *
 * <p>The addresses are checked inside OkHttp's {@link okhttp3.Dns} hook, which is the one lookup
 * the connection then uses: a name that answers with a public address for the check and a private
 * one for the connect (DNS rebinding) cannot reach the private one, because there is no second
 * lookup. The JDK's HttpClient resolves again when it connects and has no such hook; TLS still
 * verifies the certificate against the host name.
 */
final class RemoteImages {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final boolean allowed;
  private final long maxBytes;
  private final OkHttpClient http;
  private final Resolver resolver;
  private final Predicate<InetAddress> refused;

  /** Resolves a host name (the system resolver in production). */
  @FunctionalInterface
  interface Resolver {
    List<InetAddress> lookup(String host) throws UnknownHostException;
  }

  RemoteImages(boolean allowed) {
    this(allowed, RequestLimits.DEFAULT.maxImageBytes());
  }

  /** Fetches when {@code allowed}, at most {@code maxBytes} per image. */
  RemoteImages(boolean allowed, long maxBytes) {
    this(
        allowed,
        maxBytes,
        host -> Arrays.asList(InetAddress.getAllByName(host)),
        RemoteImages::isPrivate);
  }

  /**
   * Fetches with {@code resolver} and refuses every address {@code refused} accepts (tests pass a
   * resolver that answers for a made-up name and a policy that lets loopback through).
   */
  RemoteImages(boolean allowed, long maxBytes, Resolver resolver, Predicate<InetAddress> refused) {
    this.allowed = allowed;
    this.maxBytes = maxBytes;
    this.resolver = resolver;
    this.refused = refused;
    this.http =
        new OkHttpClient.Builder()
            .followRedirects(false)
            .followSslRedirects(false)
            .connectTimeout(TIMEOUT)
            .readTimeout(TIMEOUT)
            .callTimeout(TIMEOUT)
            .dns(
                host -> {
                  List<InetAddress> all = resolver.lookup(host);
                  for (InetAddress a : all) {
                    if (refused.test(a)) {
                      throw new RefusedAddress(host, a);
                    }
                  }
                  return all;
                })
            .build();
  }

  /** The lookup found an address this server must not connect to. */
  private static final class RefusedAddress extends UnknownHostException {
    RefusedAddress(String host, InetAddress a) {
      super(
          "refusing to fetch "
              + host
              + ": "
              + a.getHostAddress()
              + " is a loopback, private or link-local address");
    }
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
    // OkHttp connects to an IP literal without asking its Dns hook, so every host is checked
    // here first; for names, the hook checks again the very answer the connection uses.
    try {
      for (InetAddress a : resolver.lookup(host)) {
        if (refused.test(a)) {
          throw new AtelierException.InvalidRequest(
              field, field + ": " + new RefusedAddress(host, a).getMessage());
        }
      }
    } catch (UnknownHostException e) {
      throw new AtelierException.InvalidRequest(field, field + ": unknown host " + host);
    }
    Request request;
    try {
      request = new Request.Builder().url(uri.toURL()).get().build();
    } catch (IOException | IllegalArgumentException e) {
      throw new AtelierException.InvalidRequest(
          field, field + " is not a valid URL: " + e.getMessage());
    }
    try (Response r = http.newCall(request).execute()) {
      if (r.code() != 200) {
        throw new AtelierException.InvalidRequest(
            field, field + ": " + url + " answered HTTP " + r.code() + ", expected 200");
      }
      ResponseBody body = r.body();
      byte[] bytes;
      try (InputStream in = body == null ? InputStream.nullInputStream() : body.byteStream()) {
        bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      }
      if (bytes.length > maxBytes) {
        throw new AtelierException.PayloadTooLarge(
            field, field + ": " + url + " is larger than " + maxBytes + " bytes");
      }
      return bytes;
    } catch (RefusedAddress e) {
      throw new AtelierException.InvalidRequest(field, field + ": " + e.getMessage());
    } catch (UnknownHostException e) {
      throw new AtelierException.InvalidRequest(field, field + ": unknown host " + host);
    } catch (IOException e) {
      throw new AtelierException.InvalidRequest(
          field, field + ": fetching " + url + " failed: " + e.getMessage());
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
