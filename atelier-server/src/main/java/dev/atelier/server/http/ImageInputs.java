package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageHeader;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.session.StoredImage;
import dev.atelier.server.RequestLimits;
import dev.atelier.server.auth.Caller;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import java.awt.image.BufferedImage;
import java.util.Base64;

/**
 * The one guarded path by which a request's images become pixels: uploaded bytes, base64 data URLs,
 * raw base64 and Atelier image ids, for every route that takes images, with errors naming the
 * field.
 *
 * <p>One instance serves one request, because it keeps that request's budget. For each image, in
 * this order and before any pixel is decoded: the count of images ({@link
 * RequestLimits#maxImagesPerRequest}: edit images, mask and references together); the encoded size
 * ({@link RequestLimits#maxImageBytes}, a 413); the format, sniffed from the bytes; the size the
 * header states against {@link RequestLimits#maxImageSide} and {@link
 * RequestLimits#maxImagePixels}; and the pixels the decode will produce against what is left of
 * {@link RequestLimits#maxPixelsPerRequest}. An image that is edited ({@link #decode}, {@link
 * #resolve}) is refused above the pixel cap. An image that only guides generation ({@link
 * #decodeGuide}, {@link #resolveGuide}: references) is instead decoded subsampled to fit the pixel
 * cap, as long as the file states no more than {@link RequestLimits#maxPixelsPerRequest} pixels, so
 * that decoding it costs no more than a request's whole budget would; engines use references at
 * most at the output size, which the pixel cap also bounds.
 *
 * <p>Remote http(s) URLs are fetched only when the operator allows it ({@link RemoteImages}).
 */
public final class ImageInputs {
  /**
   * Jetty's multipart file-size bound, set where the server starts; the per-image cap a request is
   * held to is {@link RequestLimits#maxImageBytes}.
   */
  static final long MAX_BYTES = 50L * 1024 * 1024;

  /**
   * Bounds for images this server stored itself (session heads, rounds), which passed the request
   * limits or were made by an engine; not for anything a request sends.
   */
  public static final ImageLimits STORED_LIMITS = new ImageLimits(40_000_000L, 16_384, MAX_BYTES);

  private final MetadataStore metadata;
  private final BlobStore blobs;
  private final RemoteImages remote;
  private final RequestLimits limits;
  private final Caller caller;
  private int images;
  private long pixels;

  /** A fresh budget for one request of the anonymous caller (a server without keys). */
  ImageInputs(MetadataStore metadata, BlobStore blobs, RemoteImages remote, RequestLimits limits) {
    this(metadata, blobs, remote, limits, Caller.ANONYMOUS);
  }

  /**
   * A fresh budget for one request of {@code caller}, who may name by id only images it owns
   * (another owner's id is answered exactly like an id that does not exist).
   */
  ImageInputs(
      MetadataStore metadata,
      BlobStore blobs,
      RemoteImages remote,
      RequestLimits limits,
      Caller caller) {
    this.metadata = metadata;
    this.blobs = blobs;
    this.remote = remote;
    this.limits = limits;
    this.caller = caller;
  }

  /** The bounds this request is held to. */
  RequestLimits limits() {
    return limits;
  }

  /** Decodes uploaded bytes of an image that is edited (or a mask): refused above the caps. */
  BufferedImage decode(String field, byte[] bytes) {
    count(field);
    return guarded(field, bytes, false);
  }

  /** Decodes uploaded bytes of an image that only guides: subsampled above the pixel cap. */
  BufferedImage decodeGuide(String field, byte[] bytes) {
    count(field);
    return guarded(field, bytes, true);
  }

  /**
   * Resolves a string reference to an image that is edited: {@code data:image/...;base64,...}, bare
   * base64, an image id ({@code img_...}) or, when allowed, an http(s) URL.
   */
  BufferedImage resolve(String field, String ref) {
    count(field);
    return guarded(field, bytesOf(field, ref), false);
  }

  /** Resolves a string reference, as {@link #resolve}, to an image that only guides. */
  BufferedImage resolveGuide(String field, String ref) {
    count(field);
    return guarded(field, bytesOf(field, ref), true);
  }

  /** Counts one more image, refusing it before its bytes are even decoded from base64. */
  private void count(String field) {
    images++;
    if (images > limits.maxImagesPerRequest()) {
      throw new AtelierException.InvalidRequest(
          field,
          field
              + " is image number "
              + images
              + " of this request but at most "
              + limits.maxImagesPerRequest()
              + " images are allowed per request (edit images, mask and references together)");
    }
  }

  private BufferedImage guarded(String field, byte[] bytes, boolean guide) {
    if (bytes.length > limits.maxImageBytes()) {
      throw tooLarge(field, bytes.length);
    }
    ImageHeader header = header(field, bytes);
    int w = header.width();
    int h = header.height();
    if (w < 1 || h < 1) {
      throw invalid(field, "image sides must be at least 1 but the image is " + w + "x" + h);
    }
    int subsampling = 1;
    long sourceCap = limits.maxImagePixels();
    if (header.pixels() > limits.maxImagePixels()) {
      if (!guide || header.pixels() > limits.maxPixelsPerRequest()) {
        long cap = guide ? limits.maxPixelsPerRequest() : limits.maxImagePixels();
        throw invalid(
            field,
            "image is %dx%d = %d pixels but at most %d are allowed %s"
                .formatted(
                    w,
                    h,
                    header.pixels(),
                    cap,
                    guide
                        ? "for a reference (references over "
                            + limits.maxImagePixels()
                            + " are decoded subsampled to fit)"
                        : "per image"));
      }
      subsampling = header.subsamplingToFit(limits.maxImagePixels());
      sourceCap = limits.maxPixelsPerRequest();
    }
    if (w > limits.maxImageSide() || h > limits.maxImageSide()) {
      throw invalid(
          field,
          "image is %dx%d but no side may exceed %d pixels".formatted(w, h, limits.maxImageSide()));
    }
    long decoded = header.pixelsAt(subsampling);
    if (pixels + decoded > limits.maxPixelsPerRequest()) {
      throw invalid(
          field,
          ("image adds %d decoded pixels to the %d this request's earlier images have, but at"
                  + " most %d are allowed per request (edit images, mask and references together)")
              .formatted(decoded, pixels, limits.maxPixelsPerRequest()));
    }
    pixels += decoded;
    try {
      return ImageCodec.decodeRaw(
          bytes,
          new ImageLimits(sourceCap, limits.maxImageSide(), limits.maxImageBytes()),
          subsampling);
    } catch (IllegalArgumentException e) {
      throw invalid(field, e.getMessage());
    }
  }

  private AtelierException.PayloadTooLarge tooLarge(String field, long size) {
    return new AtelierException.PayloadTooLarge(
        field,
        field
            + " is "
            + size
            + " bytes but at most "
            + limits.maxImageBytes()
            + " bytes are allowed per image (serve --max-image-mb)");
  }

  private static ImageHeader header(String field, byte[] bytes) {
    try {
      return ImageCodec.readHeader(bytes);
    } catch (IllegalArgumentException e) {
      throw invalid(field, e.getMessage());
    }
  }

  private static AtelierException.InvalidRequest invalid(String field, String message) {
    return new AtelierException.InvalidRequest(field, field + ": " + message);
  }

  private byte[] bytesOf(String field, String ref) {
    String r = ref.trim();
    if (r.startsWith("img_")) {
      StoredImage img =
          metadata
              .image(r)
              .filter(i -> caller.owns(i.owner()))
              .orElseThrow(
                  () ->
                      new AtelierException.NotFound(
                          field, field + ": no image with id '" + r + "'"));
      return blobs
          .get(img.sha256())
          .orElseThrow(
              () ->
                  new AtelierException.StorageFailure(
                      "blob " + img.sha256() + " of image " + r + " is missing", null));
    }
    if (r.startsWith("http://") || r.startsWith("https://")) {
      return remote.fetch(field, r);
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
    // Base64 is 4 characters per 3 bytes: refuse before decoding what cannot fit the byte cap.
    if (b64.chars().noneMatch(Character::isWhitespace) && b64.length() % 4 == 0) {
      long size = b64.length() / 4 * 3 - (b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0);
      if (size > limits.maxImageBytes()) {
        throw tooLarge(field, size);
      }
    }
    byte[] bytes;
    try {
      // Strict decoding: the MIME decoder would silently skip invalid characters.
      bytes = Base64.getDecoder().decode(b64.replaceAll("\\s+", ""));
    } catch (IllegalArgumentException e) {
      throw new AtelierException.InvalidRequest(
          field, field + " must be base64 image data but is not valid base64: " + e.getMessage());
    }
    // Empty data goes on to the format check, which says "got 0 bytes" as it does for a part.
    return bytes;
  }
}
