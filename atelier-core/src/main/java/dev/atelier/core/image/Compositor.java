package dev.atelier.core.image;

/**
 * Blends an edited image back into its original through a mask, and crops, pastes and resizes the
 * region around an edit.
 *
 * <p>An inpainting model re-encodes the whole picture through its VAE, which shifts every pixel a
 * little even where the mask is 0. Compositing the model's output over the original undoes that:
 * where the mask is exactly 0 the original bytes are copied unchanged, where it is exactly 1 the
 * edited bytes are, and only the feathered band in between is blended. The usual flow for a small
 * edit in a large image is {@link Box#around}, {@link #crop}, {@link #resizeBicubic} to the model's
 * size, generate, {@link #resizeBicubic} back, {@link #paste} into a copy of the original, then
 * {@link #composite}.
 */
public final class Compositor {

  private Compositor() {}

  /**
   * Blends {@code edited} over {@code original} with per-pixel weights.
   *
   * <p>Each channel becomes {@code Math.round(o * (1 - m) + e * m)}, computed in double, so halves
   * round up. Pixels with {@code m == 0} are copied byte for byte from the original and pixels with
   * {@code m == 1} from the edited image, with no arithmetic on either.
   *
   * @param original the image before the edit
   * @param edited the edited image, the same size
   * @param feathered the weight of the edited image per pixel, the same size
   * @return a new image
   * @throws IllegalArgumentException if the three sizes are not all equal
   */
  public static RgbImage composite(RgbImage original, RgbImage edited, Mask feathered) {
    Ssim.checkSameSize(original, edited);
    if (feathered.width() != original.width() || feathered.height() != original.height()) {
      throw new IllegalArgumentException(
          "mask must be the images' size %dx%d but is %dx%d"
              .formatted(
                  original.width(), original.height(), feathered.width(), feathered.height()));
    }
    byte[] o = original.rgb();
    byte[] e = edited.rgb();
    byte[] out = new byte[o.length];
    float[] weights = feathered.values();
    for (int p = 0; p < weights.length; p++) {
      int i = p * 3;
      float m = weights[p];
      if (m == 0f) {
        System.arraycopy(o, i, out, i, 3);
      } else if (m == 1f) {
        System.arraycopy(e, i, out, i, 3);
      } else {
        for (int c = i; c < i + 3; c++) {
          out[c] = (byte) Math.round((o[c] & 0xff) * (1.0 - m) + (e[c] & 0xff) * (double) m);
        }
      }
    }
    return new RgbImage(original.width(), original.height(), out);
  }

  /**
   * Blends a patch over the part of {@code original} inside a box, in one copy of the image:
   * exactly {@code composite(original, paste(original, patch, at), feathered)} without the pasted
   * copy, for masks that are 0 everywhere outside the box (such as one {@link Box#around} boxed).
   *
   * @param original the image before the edit; it is not modified
   * @param patch the edited pixels of the box, the box's size
   * @param at where the patch goes, inside the image
   * @param feathered the weight of the patch per pixel, the image's size; values outside the box
   *     are not read and count as 0
   * @return a new image of the original's size
   * @throws IllegalArgumentException if the box's size differs from the patch's, the box reaches
   *     outside the image or the mask's size differs from the image's
   */
  public static RgbImage compositeInBox(RgbImage original, RgbImage patch, Box at, Mask feathered) {
    if (at.width() != patch.width() || at.height() != patch.height()) {
      throw new IllegalArgumentException(
          "box must be the patch's size %dx%d but is %dx%d"
              .formatted(patch.width(), patch.height(), at.width(), at.height()));
    }
    checkInside(at, original);
    int w = original.width();
    if (feathered.width() != w || feathered.height() != original.height()) {
      throw new IllegalArgumentException(
          "mask must be the images' size %dx%d but is %dx%d"
              .formatted(w, original.height(), feathered.width(), feathered.height()));
    }
    byte[] o = original.rgb();
    byte[] e = patch.rgb();
    byte[] out = o.clone();
    float[] weights = feathered.values();
    for (int r = 0; r < at.height(); r++) {
      int p = (at.y() + r) * w + at.x();
      int j = r * at.width() * 3;
      for (int x = 0; x < at.width(); x++, p++, j += 3) {
        float m = weights[p];
        if (m == 0f) {
          continue;
        }
        int i = p * 3;
        if (m == 1f) {
          out[i] = e[j];
          out[i + 1] = e[j + 1];
          out[i + 2] = e[j + 2];
        } else {
          for (int c = 0; c < 3; c++) {
            out[i + c] =
                (byte) Math.round((o[i + c] & 0xff) * (1.0 - m) + (e[j + c] & 0xff) * (double) m);
          }
        }
      }
    }
    return new RgbImage(w, original.height(), out);
  }

  /**
   * Copies the pixels inside a box.
   *
   * @param image the source image
   * @param box the region to copy, inside the image
   * @return a new image of the box's size
   * @throws IllegalArgumentException if the box reaches outside the image
   */
  public static RgbImage crop(RgbImage image, Box box) {
    checkInside(box, image);
    byte[] src = image.rgb();
    byte[] out = new byte[box.width() * box.height() * 3];
    int rowBytes = box.width() * 3;
    for (int r = 0; r < box.height(); r++) {
      int from = ((box.y() + r) * image.width() + box.x()) * 3;
      System.arraycopy(src, from, out, r * rowBytes, rowBytes);
    }
    return new RgbImage(box.width(), box.height(), out);
  }

  /**
   * Returns a copy of {@code base} with {@code patch} written over it at a box's corner, the
   * inverse of {@link #crop}.
   *
   * @param base the image to paste into; it is not modified
   * @param patch the pixels to write
   * @param at where they go; its size must equal the patch's
   * @return a new image of the base's size
   * @throws IllegalArgumentException if the box's size differs from the patch's or the box reaches
   *     outside the base image
   */
  public static RgbImage paste(RgbImage base, RgbImage patch, Box at) {
    if (at.width() != patch.width() || at.height() != patch.height()) {
      throw new IllegalArgumentException(
          "box must be the patch's size %dx%d but is %dx%d"
              .formatted(patch.width(), patch.height(), at.width(), at.height()));
    }
    checkInside(at, base);
    byte[] out = base.rgb().clone();
    int rowBytes = at.width() * 3;
    for (int r = 0; r < at.height(); r++) {
      int to = ((at.y() + r) * base.width() + at.x()) * 3;
      System.arraycopy(patch.rgb(), r * rowBytes, out, to, rowBytes);
    }
    return new RgbImage(base.width(), base.height(), out);
  }

  /**
   * Resizes with the bicubic convolution kernel of Keys (1981), {@code a = -0.5}.
   *
   * <p>Pixel centres are aligned ({@code align_corners=False}): output pixel {@code d} samples
   * source coordinate {@code (d + 0.5) * in / out - 0.5}. When shrinking, the kernel is stretched
   * by the scale factor so that every source pixel contributes, which avoids aliasing; this is the
   * scheme of Pillow's {@code Image.resize(BICUBIC)}, though results are not bit-identical to
   * Pillow, whose arithmetic is fixed-point. Taps that fall outside the image are dropped and the
   * remaining weights renormalised. The two passes keep float intermediates and round once, half
   * up, clamping to 0..255. Resizing to the same size returns an equal image.
   *
   * @param image the source image
   * @param width the output width, at least 1
   * @param height the output height, at least 1
   * @return a new image
   * @throws IllegalArgumentException if a requested side is below 1
   */
  public static RgbImage resizeBicubic(RgbImage image, int width, int height) {
    return resizeBicubic(image, new Box(0, 0, image.width(), image.height()), width, height);
  }

  /**
   * Resizes the part of an image inside a box, exactly as {@code resizeBicubic(crop(image, box),
   * width, height)} does but without the cropped copy.
   *
   * @param image the source image
   * @param from the region to resize, inside the image
   * @param width the output width, at least 1
   * @param height the output height, at least 1
   * @return a new image
   * @throws IllegalArgumentException if a requested side is below 1 or the box reaches outside the
   *     image
   */
  public static RgbImage resizeBicubic(RgbImage image, Box from, int width, int height) {
    long pixels = RgbImage.checkedPixels(width, height);
    checkInside(from, image);
    int inW = from.width();
    int inH = from.height();
    int stride = image.width();
    int x0 = from.x();
    int y0 = from.y();
    byte[] src = image.rgb();
    Taps cols = Taps.of(inW, width);
    Taps rows = Taps.of(inH, height);
    float[] mid = new float[Math.multiplyExact(inH, width * 3)];
    for (int y = 0; y < inH; y++) {
      int rowStart = (y0 + y) * stride + x0;
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          double v = 0;
          for (int k = 0; k < cols.count[x]; k++) {
            v += cols.weight[x][k] * (src[(rowStart + cols.first[x] + k) * 3 + c] & 0xff);
          }
          mid[(y * width + x) * 3 + c] = (float) v;
        }
      }
    }
    byte[] out = new byte[Math.toIntExact(pixels * 3)];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          double v = 0;
          for (int k = 0; k < rows.count[y]; k++) {
            v += rows.weight[y][k] * mid[((rows.first[y] + k) * width + x) * 3 + c];
          }
          out[(y * width + x) * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return new RgbImage(width, height, out);
  }

  private static void checkInside(Box box, RgbImage image) {
    if (!box.fitsIn(image.width(), image.height())) {
      throw new IllegalArgumentException(
          "box must lie inside the %dx%d image but spans x %d..%d, y %d..%d"
              .formatted(
                  image.width(),
                  image.height(),
                  box.x(),
                  (long) box.x() + box.width() - 1,
                  box.y(),
                  (long) box.y() + box.height() - 1));
    }
  }

  /** Per output index: the first source index, the number of taps and their weights. */
  private record Taps(int[] first, int[] count, double[][] weight) {

    static Taps of(int in, int out) {
      double scale = (double) in / out;
      double stretch = Math.max(1.0, scale);
      double support = 2.0 * stretch;
      int[] first = new int[out];
      int[] count = new int[out];
      double[][] weight = new double[out][];
      for (int d = 0; d < out; d++) {
        double centre = (d + 0.5) * scale;
        int lo = Math.max(0, (int) Math.floor(centre - support));
        int hi = Math.min(in, (int) Math.ceil(centre + support));
        double[] w = new double[hi - lo];
        double total = 0;
        for (int i = lo; i < hi; i++) {
          w[i - lo] = cubic((i + 0.5 - centre) / stretch);
          total += w[i - lo];
        }
        for (int k = 0; k < w.length; k++) {
          w[k] /= total;
        }
        first[d] = lo;
        count[d] = w.length;
        weight[d] = w;
      }
      return new Taps(first, count, weight);
    }

    /** Keys' cubic convolution kernel with a = -0.5, the one that reproduces quadratics. */
    private static double cubic(double t) {
      double x = Math.abs(t);
      if (x < 1.0) {
        return (1.5 * x - 2.5) * x * x + 1.0;
      }
      if (x < 2.0) {
        return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0;
      }
      return 0.0;
    }
  }
}
