package dev.atelier.core.image;

/**
 * What an image file's header states, read before any pixel is decoded.
 *
 * @param format the ImageIO format name the leading bytes announce: {@code png}, {@code jpeg},
 *     {@code gif}, {@code bmp} or {@code webp}
 * @param width the stated width in pixels
 * @param height the stated height in pixels
 */
public record ImageHeader(String format, int width, int height) {

  /** The stated pixel count, in {@code long} so that no claim can overflow. */
  public long pixels() {
    return (long) width * height;
  }

  /**
   * The size a decode with {@code subsampling} produces: every {@code subsampling}-th pixel of
   * every {@code subsampling}-th row, as {@link javax.imageio.ImageReadParam#setSourceSubsampling}
   * reads it.
   *
   * @param subsampling the step in both directions, at least 1
   * @return the decoded pixel count
   * @throws IllegalArgumentException if {@code subsampling} is below 1
   */
  public long pixelsAt(int subsampling) {
    if (subsampling < 1) {
      throw new IllegalArgumentException("subsampling must be at least 1 but was " + subsampling);
    }
    return ceilDiv(width, subsampling) * ceilDiv(height, subsampling);
  }

  /**
   * The smallest subsampling step at which the decoded image has at most {@code maxPixels} pixels.
   *
   * @param maxPixels the most pixels wanted, at least 1
   * @return 1 when the image already fits
   */
  public int subsamplingToFit(long maxPixels) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be at least 1 but was " + maxPixels);
    }
    int step = (int) Math.max(1, Math.floor(Math.sqrt(pixels() / (double) maxPixels)));
    while (pixelsAt(step) > maxPixels) {
      step++;
    }
    return step;
  }

  private static long ceilDiv(int side, int step) {
    return (side + (long) step - 1) / step;
  }
}
