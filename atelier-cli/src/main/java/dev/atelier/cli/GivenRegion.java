package dev.atelier.cli;

import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.Region;
import dev.atelier.core.image.Box;
import dev.atelier.core.image.Mask;
import java.util.Locale;

/**
 * A region given in pixels ({@code bench --local-edit --region X,Y,W,H}) that stands in for the
 * grounding model's answer, so a local edit can be measured without a trained CLIPSeg.
 *
 * <p>The rectangle is the region as a grounder returns it after dilation and feathering: 1 inside,
 * 0 outside, with a hard edge. The planner still parses the instruction; only the lookup is
 * skipped.
 *
 * @param x left column
 * @param y top row
 * @param width columns, at least 1
 * @param height rows, at least 1
 */
record GivenRegion(int x, int y, int width, int height) {
  /** Validates the values. */
  GivenRegion {
    if (x < 0 || y < 0) {
      throw new IllegalArgumentException(
          "--region must start inside the image (X and Y >= 0) but was "
              + describe(x, y, width, height));
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "--region must be at least 1x1 pixels but was " + width + "x" + height);
    }
  }

  /**
   * Parses {@code X,Y,W,H}.
   *
   * @throws IllegalArgumentException naming {@code --region} when {@code text} is not four whole
   *     numbers or the values are out of range
   */
  static GivenRegion parse(String text) {
    String[] parts = text.split(",", -1);
    if (parts.length == 4) {
      try {
        return new GivenRegion(
            Integer.parseInt(parts[0].trim()),
            Integer.parseInt(parts[1].trim()),
            Integer.parseInt(parts[2].trim()),
            Integer.parseInt(parts[3].trim()));
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(
        "--region must be X,Y,W,H in pixels (four whole numbers, e.g. 400,300,330,320) but was '"
            + text
            + "'");
  }

  /**
   * Checks that the region lies inside an image of {@code imageW} x {@code imageH}.
   *
   * @throws IllegalArgumentException naming {@code --region} when it reaches past an edge
   */
  void checkInside(int imageW, int imageH) {
    if ((long) x + width > imageW || (long) y + height > imageH) {
      throw new IllegalArgumentException(
          "--region must lie inside the "
              + imageW
              + "x"
              + imageH
              + " input but "
              + describe(x, y, width, height)
              + " reaches column "
              + ((long) x + width)
              + " and row "
              + ((long) y + height));
    }
  }

  /** The region's share of an image's area, 0..1. */
  double share(int imageW, int imageH) {
    return (double) width * height / ((double) imageW * imageH);
  }

  /** A grounder that answers every lookup with this rectangle on an image of any size. */
  Grounder grounder() {
    return (image, query) -> {
      checkInside(image.width(), image.height());
      float[] v = new float[image.width() * image.height()];
      for (int row = y; row < y + height; row++) {
        java.util.Arrays.fill(v, row * image.width() + x, row * image.width() + x + width, 1f);
      }
      Mask m = new Mask(image.width(), image.height(), v);
      return new Region(m, m, 1.0, new Box(x, y, width, height));
    };
  }

  @Override
  public String toString() {
    return describe(x, y, width, height);
  }

  private static String describe(int x, int y, int w, int h) {
    return String.format(Locale.ROOT, "%d,%d,%d,%d", x, y, w, h);
  }
}
