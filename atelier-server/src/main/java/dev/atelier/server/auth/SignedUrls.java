package dev.atelier.server.auth;

import dev.atelier.server.http.ErrorMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks image URLs: {@code ?expires=<unix seconds>&sig=<base64url HMAC-SHA256>} over the
 * image's id, its owner and the expiry, with the server's secret. A signed URL works in an {@code
 * <img>} tag and for a client that downloads later, without the API key in it.
 */
public final class SignedUrls {
  private final SecretKeySpec key;
  private final Duration ttl;
  private final Clock clock;

  /** Signs and checks with the secret and lifetime of {@code access}. */
  public SignedUrls(AccessSettings access) {
    this.key = new SecretKeySpec(access.urlSecret(), "HmacSHA256");
    this.ttl = access.urlTtl();
    this.clock = access.clock();
  }

  /**
   * Whether {@code ctx} fetches an image's bytes with a signed URL. Authentication lets such a
   * request through without a key: the {@code /content} route checks the signature itself, and
   * refuses a bad one with a 403.
   */
  static boolean presented(io.javalin.http.Context ctx) {
    return ctx.method().name().equals("GET")
        && ctx.path().startsWith("/v1/images/")
        && ctx.path().endsWith("/content")
        && (ctx.queryParam("sig") != null || ctx.queryParam("expires") != null);
  }

  /** The query string ({@code expires=...&sig=...}) of a URL for {@code imageId} valid from now. */
  String query(String imageId, String owner) {
    long expires = clock.instant().plus(ttl).getEpochSecond();
    return "expires=" + expires + "&sig=" + sign(imageId, owner, expires);
  }

  /**
   * Checks a URL's {@code expires} and {@code sig} for {@code imageId} owned by {@code owner}.
   *
   * @throws ErrorMapper.Refusal 403 {@code invalid_signature} when the signature is not this
   *     server's for this image, owner and expiry (tampered, another image's, malformed); 403
   *     {@code url_expired} when it is but its time has passed
   */
  public void check(String imageId, String owner, String expires, String sig) {
    long when;
    try {
      when = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      throw invalid();
    }
    byte[] expected = sign(imageId, owner, when).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII))) {
      throw invalid();
    }
    if (clock.instant().getEpochSecond() >= when) {
      throw new ErrorMapper.Refusal(
          403,
          "invalid_request_error",
          "url_expired",
          "this image URL expired; fetch the image's metadata again for a fresh URL");
    }
  }

  private static ErrorMapper.Refusal invalid() {
    return new ErrorMapper.Refusal(
        403,
        "invalid_request_error",
        "invalid_signature",
        "this image URL's signature is not valid for this image");
  }

  private String sign(String imageId, String owner, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      // Newline-separated: ids and owners hold no newline, so no two triples sign the same bytes.
      byte[] h =
          mac.doFinal((imageId + "\n" + owner + "\n" + expires).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(h);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
