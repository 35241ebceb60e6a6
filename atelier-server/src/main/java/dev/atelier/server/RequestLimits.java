package dev.atelier.server;

import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.json.Json;

/**
 * Every bound a request is held to, in one place, applied before any work starts: body sizes,
 * multipart parts, JSON shape, image bytes and pixels, and how many images one request may bring.
 * The server's flags set them ({@code serve --max-...}); the defaults follow OpenAI's Images API
 * where it has a limit (50 MB per image, 16 images per edit, 3840x2160 as its largest size).
 *
 * @param maxJsonBytes the largest JSON body; a declared {@code Content-Length} above it is a 413
 *     before anything is read (default 80 MiB: one 50 MB image in base64 with room to spare)
 * @param maxMultipartBytes the largest multipart body (default 200 MiB)
 * @param maxParts the most parts one multipart body may have (default 64)
 * @param maxJsonDepth the deepest nesting of JSON arrays and objects (default 64)
 * @param maxNumberChars the longest JSON number token (default 64 characters)
 * @param maxImageBytes the largest encoded image (default 50 MiB, OpenAI's limit)
 * @param maxImagePixels the most pixels one input image may have, read from its header before
 *     decoding (default 3840x2160 = 8,294,400, OpenAI's largest size)
 * @param maxImageSide the longest side one input image may have (default 16384)
 * @param maxImagesPerRequest the most images one request may bring: edit images, mask and
 *     references together (default 16 + 1 + 4 = 21)
 * @param maxPixelsPerRequest the most decoded pixels all images of one request may add up to, so
 *     that many small images cannot add up to a large one (default 4x the per-image cap)
 */
public record RequestLimits(
    long maxJsonBytes,
    long maxMultipartBytes,
    int maxParts,
    int maxJsonDepth,
    int maxNumberChars,
    long maxImageBytes,
    long maxImagePixels,
    int maxImageSide,
    int maxImagesPerRequest,
    long maxPixelsPerRequest) {

  /** The documented defaults. */
  public static final RequestLimits DEFAULT =
      new RequestLimits(
          80L << 20, 200L << 20, 64, 64, 64, 50L << 20, 3840L * 2160, 16_384, 21, 4L * 3840 * 2160);

  /**
   * Validates the bounds.
   *
   * @throws IllegalArgumentException naming the first bound below 1
   */
  public RequestLimits {
    positive("maxJsonBytes", maxJsonBytes);
    positive("maxMultipartBytes", maxMultipartBytes);
    positive("maxParts", maxParts);
    positive("maxJsonDepth", maxJsonDepth);
    positive("maxNumberChars", maxNumberChars);
    positive("maxImageBytes", maxImageBytes);
    positive("maxImagePixels", maxImagePixels);
    positive("maxImageSide", maxImageSide);
    positive("maxImagesPerRequest", maxImagesPerRequest);
    positive("maxPixelsPerRequest", maxPixelsPerRequest);
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1 but was " + value);
    }
  }

  /** Room for a data URL's {@code data:image/...;base64,} prefix around an image's base64. */
  private static final int DATA_URL_PREFIX_CHARS = 256;

  /**
   * The bounds a JSON body is parsed within: {@link #maxJsonDepth}, {@link #maxNumberChars}, and
   * strings long enough for one image of {@link #maxImageBytes} as a base64 data URL (about 70
   * million characters at the default 50 MiB), the largest string any route takes; the body cap
   * ({@link #maxJsonBytes}) bounds every string too.
   */
  public Json.Limits jsonLimits() {
    long base64 = 4 * ((maxImageBytes + 2) / 3) + DATA_URL_PREFIX_CHARS;
    return new Json.Limits(
        maxJsonDepth, maxNumberChars, (int) Math.min(Integer.MAX_VALUE - 8, base64));
  }

  /** The per-image bounds as core's {@link ImageLimits}, checked from the header. */
  public ImageLimits imageLimits() {
    return new ImageLimits(maxImagePixels, maxImageSide, maxImageBytes);
  }
}
