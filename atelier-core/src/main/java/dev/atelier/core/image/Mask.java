package dev.atelier.core.image;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Objects;

/**
 * An inpainting mask: one float in [0, 1] per pixel, row-major, where 1 means "repaint here".
 *
 * <p>Two conventions reach the server. diffusers and most UIs send a grey image in which white
 * marks the area to edit ({@link #fromGray}); OpenAI's edits endpoint sends a PNG whose fully
 * transparent pixels mark it ({@link #fromAlpha}). Both end up as this record.
 *
 * <p>As with {@link RgbImage} the array is not copied and must not be modified once the record
 * exists; {@link #equals} and {@link #hashCode} compare contents.
 *
 * @param width the width in pixels, at least 1
 * @param height the height in pixels, at least 1
 * @param values {@code width * height} values in [0, 1]
 */
public record Mask(int width, int height, float[] values) {

  /** The threshold diffusers' {@code VaeImageProcessor.binarize} uses. */
  public static final float DIFFUSERS_THRESHOLD = 0.5f;

  /**
   * Validates the size and the range of every value.
   *
   * @throws IllegalArgumentException if a side is below 1, {@code values.length} is not {@code
   *     width * height} or a value lies outside [0, 1] (NaN included)
   */
  public Mask {
    Objects.requireNonNull(values, "values");
    long expected = RgbImage.checkedPixels(width, height);
    if (values.length != expected) {
      throw new IllegalArgumentException(
          "values must hold %dx%d = %d floats but holds %d"
              .formatted(width, height, expected, values.length));
    }
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!(v >= 0f && v <= 1f)) {
        throw new IllegalArgumentException("values[" + i + "] must be in [0, 1] but is " + v);
      }
    }
  }

  /**
   * Reads a mask from an image in which white means "edit", diffusers' convention.
   *
   * <p>The image is first converted to grey exactly as PIL's {@code convert("L")} does, then each
   * grey level {@code l} becomes {@code l / 255f}, as in diffusers' mask preprocessing. PIL's
   * conversion (Pillow {@code src/libImaging/Convert.c}, {@code rgb2l}) is the ITU-R 601-2 luma in
   * 16-bit fixed point: {@code (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16}. The older {@code
   * (R * 299 + G * 587 + B * 114) / 1000} form, which Pillow still uses for mode "1" and "F", gives
   * one level more for some colours, such as (0, 0, 250): 29 instead of 28.
   *
   * @param image the mask image
   * @return the mask, same size as the image
   */
  public static Mask fromGray(RgbImage image) {
    byte[] rgb = image.rgb();
    float[] values = new float[image.width() * image.height()];
    for (int p = 0; p < values.length; p++) {
      values[p] = luma(rgb[p * 3] & 0xff, rgb[p * 3 + 1] & 0xff, rgb[p * 3 + 2] & 0xff) / 255f;
    }
    return new Mask(image.width(), image.height(), values);
  }

  /**
   * Reads a mask from any image in which white means "edit", diffusers' convention.
   *
   * <p>Grey images keep their grey levels; other images are converted as {@link
   * #fromGray(RgbImage)} describes. Alpha is ignored.
   *
   * @param image the mask image
   * @return the mask, same size as the image
   */
  public static Mask fromGray(BufferedImage image) {
    return fromGray(RgbImage.from(image));
  }

  /**
   * Reads a mask from an image's alpha channel, OpenAI's convention.
   *
   * <p>Fully transparent pixels (alpha 0) become 1, "edit"; every other pixel, even one at alpha 1,
   * becomes 0, since OpenAI documents only full transparency as marking the edit area.
   *
   * @param image an image with an alpha channel, usually a PNG
   * @return a binary mask, same size as the image
   * @throws IllegalArgumentException if the image has no alpha channel
   */
  public static Mask fromAlpha(BufferedImage image) {
    if (!image.getColorModel().hasAlpha()) {
      throw new IllegalArgumentException(
          "mask must have an alpha channel (transparent pixels mark the area to edit)"
              + " but the image has none");
    }
    int w = image.getWidth();
    int h = image.getHeight();
    float[] values = new float[Math.toIntExact(RgbImage.checkedPixels(w, h))];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        values[y * w + x] = (row[x] >>> 24) == 0 ? 1f : 0f;
      }
    }
    return new Mask(w, h, values);
  }

  /**
   * Returns the PIL "L" grey level of an 8-bit RGB colour.
   *
   * @param r red, 0..255
   * @param g green, 0..255
   * @param b blue, 0..255
   * @return the grey level, 0..255
   */
  public static int luma(int r, int g, int b) {
    return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
  }

  /**
   * Returns a mask of zeros and ones: values at or above {@code threshold} become 1.
   *
   * <p>With {@link #DIFFUSERS_THRESHOLD} this is diffusers' {@code do_binarize}.
   *
   * @param threshold the smallest value that becomes 1, in [0, 1]
   * @return the binary mask
   * @throws IllegalArgumentException if {@code threshold} lies outside [0, 1]
   */
  public Mask binarized(float threshold) {
    if (!(threshold >= 0f && threshold <= 1f)) {
      throw new IllegalArgumentException("threshold must be in [0, 1] but was " + threshold);
    }
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] >= threshold ? 1f : 0f;
    }
    return new Mask(width, height, out);
  }

  /**
   * The part of this mask inside {@code box}.
   *
   * @throws IllegalArgumentException when the box does not lie inside the mask
   */
  public Mask crop(Box box) {
    if (!box.fitsIn(width, height)) {
      throw new IllegalArgumentException(
          "box " + box + " must lie inside the " + width + "x" + height + " mask");
    }
    float[] v = new float[box.width() * box.height()];
    for (int y = 0; y < box.height(); y++) {
      System.arraycopy(values, (box.y() + y) * width + box.x(), v, y * box.width(), box.width());
    }
    return new Mask(box.width(), box.height(), v);
  }

  /** The mask as a grey image, white = 1 (edit), black = 0, rounded to 8 bits. */
  public RgbImage toGrayImage() {
    byte[] rgb = new byte[width * height * 3];
    for (int p = 0; p < width * height; p++) {
      byte v = (byte) Math.round(values[p] * 255);
      rgb[p * 3] = v;
      rgb[p * 3 + 1] = v;
      rgb[p * 3 + 2] = v;
    }
    return new RgbImage(width, height, rgb);
  }

  /**
   * Resizes by nearest neighbour exactly as {@code
   * torch.nn.functional.interpolate(mode="nearest")}.
   *
   * <p>Output index {@code d} reads input index {@code min(floor(d * scale), in - 1)} where {@code
   * scale = (float) in / out} and the product is taken in float32, as PyTorch's {@code nearest_idx}
   * does. Halving therefore keeps the even rows and columns, and 80 to 64 reads {@code floor(d *
   * 1.25)}. This is how diffusers shrinks masks to the latent grid.
   *
   * @param newWidth the output width, at least 1
   * @param newHeight the output height, at least 1
   * @return the resized mask
   * @throws IllegalArgumentException if a requested side is below 1
   */
  public Mask resizedNearest(int newWidth, int newHeight) {
    float[] out = new float[Math.toIntExact(RgbImage.checkedPixels(newWidth, newHeight))];
    int[] srcX = nearestIndices(width, newWidth);
    int[] srcY = nearestIndices(height, newHeight);
    for (int y = 0; y < newHeight; y++) {
      int rowBase = srcY[y] * width;
      for (int x = 0; x < newWidth; x++) {
        out[y * newWidth + x] = values[rowBase + srcX[x]];
      }
    }
    return new Mask(newWidth, newHeight, out);
  }

  /**
   * The part of this mask inside {@code box}, resized by nearest neighbour: exactly {@code
   * crop(box).resizedNearest(newWidth, newHeight)} without the cropped copy.
   *
   * @throws IllegalArgumentException when the box does not lie inside the mask or a requested side
   *     is below 1
   */
  public Mask cropResizedNearest(Box box, int newWidth, int newHeight) {
    if (!box.fitsIn(width, height)) {
      throw new IllegalArgumentException(
          "box " + box + " must lie inside the " + width + "x" + height + " mask");
    }
    float[] out = new float[Math.toIntExact(RgbImage.checkedPixels(newWidth, newHeight))];
    int[] srcX = nearestIndices(box.width(), newWidth);
    int[] srcY = nearestIndices(box.height(), newHeight);
    for (int y = 0; y < newHeight; y++) {
      int rowBase = (box.y() + srcY[y]) * width + box.x();
      for (int x = 0; x < newWidth; x++) {
        out[y * newWidth + x] = values[rowBase + srcX[x]];
      }
    }
    return new Mask(newWidth, newHeight, out);
  }

  private static int[] nearestIndices(int in, int out) {
    float scale = (float) in / out;
    int[] idx = new int[out];
    for (int d = 0; d < out; d++) {
      idx[d] = Math.min((int) Math.floor(d * scale), in - 1);
    }
    return idx;
  }

  /**
   * Tells whether nothing would be repainted.
   *
   * @return true if every value is 0
   */
  public boolean isEmpty() {
    for (float v : values) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns the mean value: for a binary mask, the fraction of the image to repaint.
   *
   * @return a number in [0, 1]
   */
  public double coverage() {
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /** Compares size and values. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Mask other
        && width == other.width
        && height == other.height
        && Arrays.equals(values, other.values);
  }

  /** Hashes size and values. */
  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(values);
  }

  /** Describes the size and coverage only. */
  @Override
  public String toString() {
    return "Mask[%dx%d, coverage=%.4f]".formatted(width, height, coverage());
  }
}
