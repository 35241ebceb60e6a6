package dev.atelier.server.auth;

/**
 * The URLs one response hands out for stored images: the request's scheme and host, the content
 * path, and a signature that lets the URL be fetched without a key until it expires.
 *
 * @param base {@code scheme://host} as the client reached the server
 * @param signer the server's URL signer
 */
public record ImageUrls(String base, SignedUrls signer) {

  /** The signed URL of {@code imageId}'s bytes. */
  public String of(String imageId) {
    return base + "/v1/images/" + imageId + "/content?" + signer.query(imageId, owner(imageId));
  }

  /**
   * The owner a URL for {@code imageId} is signed with: always the empty owner. An image id names
   * exactly one image, whose owner never changes, so (id, expiry) already ties the URL to that
   * owner's image; signing the row's owner as well would need it at every place a URL is made
   * (rounds and session summaries carry only ids) for no extra protection. The slot stays in the
   * signed message so that a future change (per-owner revocation, say) can fill it.
   */
  public static String owner(String imageId) {
    return Caller.ANONYMOUS.owner();
  }
}
