package dev.atelier.core.image;

/**
 * Upper bounds on an image accepted from outside, checked before any pixel is decoded.
 *
 * <p>An image file's header states its size, and a few hundred bytes can claim a gigapixel canvas;
 * {@link ImageCodec} reads that header first and refuses the image here rather than letting the
 * decoder allocate the raster. The three bounds are independent: a 1x100000 strip is small in
 * pixels but still refused by {@code maxSide}.
 *
 * @param maxPixels the largest width times height accepted
 * @param maxSide the largest width or height accepted
 * @param maxBytes the largest encoded size accepted, in bytes
 */
public record ImageLimits(long maxPixels, int maxSide, long maxBytes) {

  /** 4096x4096 = 16,777,216 pixels, sides up to 8192 and files up to 50 MiB. */
  public static final ImageLimits DEFAULT = new ImageLimits(4096L * 4096L, 8192, 50L << 20);

  /**
   * Validates the bounds.
   *
   * @throws IllegalArgumentException if any bound is below 1
   */
  public ImageLimits {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be at least 1 but was " + maxPixels);
    }
    if (maxSide < 1) {
      throw new IllegalArgumentException("maxSide must be at least 1 but was " + maxSide);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1 but was " + maxBytes);
    }
  }

  /**
   * Checks the size an image claims against these limits.
   *
   * <p>The product is taken in {@code long}, so claims near {@link Integer#MAX_VALUE} per side
   * cannot overflow into an accepted value.
   *
   * @param width the claimed width in pixels
   * @param height the claimed height in pixels
   * @throws IllegalArgumentException if a side is below 1, the pixel count exceeds {@code
   *     maxPixels} or a side exceeds {@code maxSide}
   */
  public void checkDimensions(int width, int height) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "image sides must be at least 1 but the image is " + width + "x" + height);
    }
    long pixels = (long) width * height;
    if (pixels > maxPixels) {
      throw new IllegalArgumentException(
          "image is %dx%d = %d pixels but at most %d are allowed"
              .formatted(width, height, pixels, maxPixels));
    }
    if (width > maxSide || height > maxSide) {
      throw new IllegalArgumentException(
          "image is %dx%d but no side may exceed %d pixels".formatted(width, height, maxSide));
    }
  }

  /**
   * Checks the encoded size of an image against {@code maxBytes}.
   *
   * @param length the number of bytes in the encoded image
   * @throws IllegalArgumentException if {@code length} exceeds {@code maxBytes}
   */
  public void checkBytes(long length) {
    if (length > maxBytes) {
      throw new IllegalArgumentException(
          "image is %d bytes but at most %d are allowed".formatted(length, maxBytes));
    }
  }
}
