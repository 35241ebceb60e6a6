package dev.atelier.server;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import java.awt.image.BufferedImage;
import java.util.Base64;
import java.util.Optional;

/**
 * Turns what a request names as an image (uploaded bytes, a base64 data URL, raw base64, or an
 * Atelier image id) into pixels, within the upload limits, with errors naming the field.
 *
 * <p>Limits follow OpenAI's Images API: 50 MB per image, and Atelier adds 40 megapixels, checked
 * from the header before any pixel is decoded. Remote http(s) URLs are refused: fetching them is an
 * operator opt-in that this server does not offer yet.
 */
final class ImageInputs {
  static final long MAX_BYTES = 50L * 1024 * 1024;
  static final ImageLimits LIMITS = new ImageLimits(40_000_000L, 16_384, MAX_BYTES);

  private final MetadataStore metadata;
  private final BlobStore blobs;
  private final RemoteImages remote;

  ImageInputs(MetadataStore metadata, BlobStore blobs, RemoteImages remote) {
    this.metadata = metadata;
    this.blobs = blobs;
    this.remote = remote;
  }

  /** Decodes uploaded bytes. */
  BufferedImage decode(String field, byte[] bytes) {
    if (bytes.length > MAX_BYTES) {
      throw new ErrorMapper.PayloadTooLarge(
          field,
          field + " is " + bytes.length + " bytes but at most " + MAX_BYTES + " are allowed");
    }
    try {
      return ImageCodec.decodeRaw(bytes, LIMITS);
    } catch (IllegalArgumentException e) {
      throw new AtelierException.InvalidRequest(field, field + ": " + e.getMessage());
    }
  }

  /** Decodes uploaded bytes to RGB. */
  RgbImage decodeRgb(String field, byte[] bytes) {
    return RgbImage.from(decode(field, bytes));
  }

  /**
   * Resolves a string reference: {@code data:image/...;base64,...}, bare base64, or an image id
   * ({@code img_...}).
   */
  BufferedImage resolve(String field, String ref) {
    String r = ref.trim();
    if (r.startsWith("img_")) {
      StoredImage img =
          metadata
              .image(r)
              .orElseThrow(
                  () ->
                      new AtelierException.NotFound(
                          field, field + ": no image with id '" + r + "'"));
      byte[] bytes =
          blobs
              .get(img.sha256())
              .orElseThrow(
                  () ->
                      new AtelierException.StorageFailure(
                          "blob " + img.sha256() + " of image " + r + " is missing", null));
      return decode(field, bytes);
    }
    if (r.startsWith("http://") || r.startsWith("https://")) {
      return decode(field, remote.fetch(field, r));
    }
    String b64 = r;
    if (r.startsWith("data:")) {
      int comma = r.indexOf(',');
      if (comma < 0 || !r.substring(0, comma).endsWith(";base64")) {
        throw new AtelierException.InvalidRequest(
            field,
            field
                + " must be a base64 data URL (data:image/png;base64,...) but has no ';base64,' part");
      }
      b64 = r.substring(comma + 1);
    }
    byte[] bytes;
    try {
      // Strict decoding: the MIME decoder would silently skip invalid characters.
      bytes = Base64.getDecoder().decode(b64.replaceAll("\\s+", ""));
    } catch (IllegalArgumentException e) {
      throw new AtelierException.InvalidRequest(
          field, field + " must be base64 image data but is not valid base64: " + e.getMessage());
    }
    if (bytes.length == 0) {
      throw new AtelierException.InvalidRequest(field, field + " is empty");
    }
    return decode(field, bytes);
  }

  /** The stored image with {@code id}. */
  Optional<StoredImage> stored(String id) {
    return metadata.image(id);
  }
}
