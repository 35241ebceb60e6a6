package dev.atelier.core.image;

/**
 * An axis-aligned rectangle of pixels, such as the crop taken around an edit region.
 *
 * @param x the leftmost column, from 0
 * @param y the top row, from 0
 * @param width the number of columns, at least 1
 * @param height the number of rows, at least 1
 */
public record Box(int x, int y, int width, int height) {

  /**
   * Validates the corner and the size.
   *
   * @throws IllegalArgumentException if {@code x} or {@code y} is negative or a side is below 1
   */
  public Box {
    if (x < 0 || y < 0) {
      throw new IllegalArgumentException(
          "box corner must be at x, y >= 0 but was (" + x + ", " + y + ")");
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "box sides must be at least 1 but were " + width + "x" + height);
    }
  }

  /**
   * Returns the bounding box of a mask's nonzero values, widened for cropping around an edit.
   *
   * <p>The tight box around every value above 0 is expanded by {@code margin} on each side, so the
   * model sees context around the edit, and clipped to the image. Each side is then grown, evenly
   * on both ends and shifted back inside the image where it would stick out, to the next multiple
   * of {@code multipleOf}, the granularity latent-diffusion models need (8 for a VAE, 64 for some
   * UNets). Where that multiple exceeds the image side, the side becomes the whole image side,
   * which is not then a multiple: callers resize the crop anyway.
   *
   * @param mask the edit mask; values above 0, feathered edges included, count as edited
   * @param margin pixels of context added on each side, at least 0
   * @param imageW the image width, which the mask must match
   * @param imageH the image height, which the mask must match
   * @param multipleOf the granularity of the sides, at least 1 (1 for none)
   * @return a box inside the image that covers every edited pixel
   * @throws IllegalArgumentException if the mask's size differs from the image's, {@code margin} is
   *     negative, {@code multipleOf} is below 1 or the mask has no value above 0
   */
  public static Box around(Mask mask, int margin, int imageW, int imageH, int multipleOf) {
    if (mask.width() != imageW || mask.height() != imageH) {
      throw new IllegalArgumentException(
          "mask must be the image's size %dx%d but is %dx%d"
              .formatted(imageW, imageH, mask.width(), mask.height()));
    }
    if (margin < 0) {
      throw new IllegalArgumentException("margin must be at least 0 but was " + margin);
    }
    if (multipleOf < 1) {
      throw new IllegalArgumentException("multipleOf must be at least 1 but was " + multipleOf);
    }
    int minX = imageW;
    int minY = imageH;
    int maxX = -1;
    int maxY = -1;
    float[] values = mask.values();
    for (int y = 0; y < imageH; y++) {
      for (int x = 0; x < imageW; x++) {
        if (values[y * imageW + x] > 0f) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    if (maxX < 0) {
      throw new IllegalArgumentException(
          "mask must mark at least one pixel above 0 to box but all are 0");
    }
    // Long arithmetic: a margin near Integer.MAX_VALUE must clip, not overflow.
    int x0 = (int) Math.max(0L, (long) minX - margin);
    int y0 = (int) Math.max(0L, (long) minY - margin);
    int x1 = (int) Math.min(imageW, (long) maxX + 1 + margin);
    int y1 = (int) Math.min(imageH, (long) maxY + 1 + margin);
    int[] xs = grow(x0, x1, imageW, multipleOf);
    int[] ys = grow(y0, y1, imageH, multipleOf);
    return new Box(xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0]);
  }

  /** Grows [start, end) to a multiple of {@code multiple} within [0, limit), or to all of it. */
  private static int[] grow(int start, int end, int limit, int multiple) {
    long target = ((long) (end - start) + multiple - 1) / multiple * multiple;
    if (target > limit) {
      return new int[] {0, limit};
    }
    int extra = (int) target - (end - start);
    int newStart = start - extra / 2;
    int newEnd = end + (extra - extra / 2);
    if (newStart < 0) {
      newEnd -= newStart;
      newStart = 0;
    }
    if (newEnd > limit) {
      newStart -= newEnd - limit;
      newEnd = limit;
    }
    return new int[] {newStart, newEnd};
  }

  /**
   * Returns the number of pixels covered.
   *
   * @return {@code width * height}
   */
  public long area() {
    return (long) width * height;
  }

  /**
   * Tells whether this box lies wholly inside an image of the given size.
   *
   * @param imageW the image width
   * @param imageH the image height
   * @return true if every pixel of the box is a pixel of the image
   */
  public boolean fitsIn(int imageW, int imageH) {
    return (long) x + width <= imageW && (long) y + height <= imageH;
  }
}
