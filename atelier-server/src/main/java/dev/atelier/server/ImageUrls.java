package dev.atelier.server;

/**
 * The URLs one response hands out for stored images: the request's scheme and host, the content
 * path, and a signature that lets the URL be fetched without a key until it expires.
 *
 * @param base {@code scheme://host} as the client reached the server
 * @param signer the server's URL signer
 */
record ImageUrls(String base, SignedUrls signer) {

  /** The signed URL of {@code imageId}'s bytes. */
  String of(String imageId) {
    return base + "/v1/images/" + imageId + "/content?" + signer.query(imageId, owner(imageId));
  }

  /**
   * The owner a URL for {@code imageId} is signed with. Image rows record no owner yet, so this is
   * the anonymous owner for every image; when rows record one (ownership, issue 18), this and the
   * check in {@code /content} read the row's owner, and URLs signed before stop working.
   */
  static String owner(String imageId) {
    return Caller.ANONYMOUS.owner();
  }
}
