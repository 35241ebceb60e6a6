package dev.atelier.store.internal;

import java.util.regex.Pattern;

/**
 * Where blobs live in an S3-compatible store: {@code s3://BUCKET[/PREFIX]}, and the keys of blobs
 * there ({@code PREFIX/sha256/<first 2 hex>/<64 hex>}, the file store's layout under its {@code
 * blobs/} folder, so {@code aws s3 sync DATA/blobs/sha256 s3://BUCKET/PREFIX/sha256} moves a file
 * store over).
 *
 * @param bucket the bucket name
 * @param prefix the key prefix without leading or trailing slashes; {@code ""} for the bucket's
 *     root
 */
public record S3Location(String bucket, String prefix) {
  // S3's bucket naming rules (3-63 lowercase letters, digits, dots and hyphens), which every
  // S3-compatible store we know of accepts as well.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final String SCHEME = "s3://";

  /** Validates. */
  public S3Location {
    if (!BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException(
          "bucket must be 3-63 lowercase letters, digits, dots and hyphens but was '"
              + bucket
              + "'");
    }
    if (prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("//")) {
      throw new IllegalArgumentException(
          "prefix must not start or end with '/' or hold '//' but was '" + prefix + "'");
    }
    if (prefix.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("prefix must hold no control characters");
    }
  }

  /**
   * Parses {@code s3://BUCKET[/PREFIX]} (a trailing slash is ignored).
   *
   * @throws IllegalArgumentException naming the expected form and what was found
   */
  public static S3Location parse(String uri) {
    if (!uri.startsWith(SCHEME) || uri.length() == SCHEME.length()) {
      throw new IllegalArgumentException(
          "an S3 blob store must be s3://BUCKET[/PREFIX] but was '" + uri + "'");
    }
    String rest = uri.substring(SCHEME.length());
    while (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    try {
      return new S3Location(bucket, prefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "an S3 blob store must be s3://BUCKET[/PREFIX] but was '" + uri + "': " + e.getMessage(),
          e);
    }
  }

  /** Where every blob key starts: {@code PREFIX/sha256/} (or {@code sha256/}). */
  public String blobsPrefix() {
    return prefix.isEmpty() ? "sha256/" : prefix + "/sha256/";
  }

  /** The key of the blob {@code sha256} (checked to be a blob name first). */
  public String key(String sha256) {
    BlobNames.require(sha256);
    return blobsPrefix() + sha256.substring(0, 2) + "/" + sha256;
  }

  /** The blob name a listed key holds, or {@code ""} when the key is not exactly a blob's key. */
  public String nameOf(String key) {
    int slash = key.lastIndexOf('/');
    String name = key.substring(slash + 1);
    return BlobNames.isValid(name) && key.equals(key(name)) ? name : "";
  }

  /** {@code s3://BUCKET[/PREFIX]}. */
  @Override
  public String toString() {
    return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }
}
