package dev.atelier.engine.openai.internal;

import dev.atelier.core.ImageSize;
import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.ImageLimits;
import dev.atelier.core.image.RgbImage;
import java.util.Base64;

/**
 * Turns an upstream's base64 image into pixels of the requested size.
 *
 * <p>The bytes are decoded with the same limits as uploads ({@link ImageLimits#DEFAULT}), so a
 * hostile upstream cannot exhaust memory with a decompression bomb. An image of another size than
 * requested (a model that rounds sizes, or a proxy that rescales) is resized with core's bicubic
 * resize, so callers always get the size they asked for.
 */
public final class ImageDecoding {
  private ImageDecoding() {}

  /**
   * Decodes base64 PNG or JPEG bytes.
   *
   * @param what names the image in messages, e.g. {@code "image 2"}
   * @throws dev.atelier.core.AtelierException.UpstreamFailure (502) when the text is not base64 or
   *     the bytes are not a complete PNG or JPEG
   */
  public static RgbImage decode(String b64, String what) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(b64.strip());
    } catch (IllegalArgumentException e) {
      throw Failures.badResponse("upstream " + what + " is not valid base64: " + e.getMessage(), e);
    }
    try {
      return ImageCodec.decode(bytes, ImageLimits.DEFAULT);
    } catch (IllegalArgumentException e) {
      throw Failures.badResponse(
          "upstream " + what + " is not a usable image: " + e.getMessage(), e);
    }
  }

  /** {@code image} at {@code size}: itself when it already fits, else resized. */
  public static RgbImage fit(RgbImage image, ImageSize size) {
    if (image.width() == size.width() && image.height() == size.height()) {
      return image;
    }
    return Compositor.resizeBicubic(image, size.width(), size.height());
  }
}
