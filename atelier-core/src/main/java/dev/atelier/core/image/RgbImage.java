package dev.atelier.core.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image: interleaved {@code R, G, B} bytes, row-major, top row first.
 *
 * <p>This is the form in which images enter and leave the pipelines, the same as PIL's "RGB" mode.
 * The conversions to and from floats reproduce diffusers' {@code VaeImageProcessor} bit-for-bit so
 * that Java output can be compared with Python goldens exactly.
 *
 * <p>For speed the array is neither copied on construction nor on access: it belongs to this record
 * and must not be modified once the record exists. {@link #equals} and {@link #hashCode} compare
 * contents, unlike a plain record's array component.
 *
 * @param width the width in pixels, at least 1
 * @param height the height in pixels, at least 1
 * @param rgb {@code width * height * 3} bytes, read as unsigned
 */
public record RgbImage(int width, int height, byte[] rgb) {

  /**
   * Validates the dimensions against the array length.
   *
   * @throws IllegalArgumentException if a side is below 1 or {@code rgb.length} is not {@code width
   *     * height * 3}
   */
  public RgbImage {
    Objects.requireNonNull(rgb, "rgb");
    long expected = checkedPixels(width, height) * 3;
    if (rgb.length != expected) {
      throw new IllegalArgumentException(
          "rgb must hold %dx%dx3 = %d bytes but holds %d"
              .formatted(width, height, expected, rgb.length));
    }
  }

  /**
   * Quantises float HWC pixels in [0, 1] to bytes, as diffusers' {@code numpy_to_pil} does.
   *
   * <p>Each value is clamped to [0, 1], multiplied by 255 in float32 and rounded half to even,
   * which is {@code (images * 255).round().astype("uint8")} after the pipeline's {@code clamp(0,
   * 1)}. Rounding half up instead would move about one value in 255 by one step.
   *
   * @param width the width in pixels
   * @param height the height in pixels
   * @param hwc {@code height * width * 3} floats, channel fastest
   * @return the quantised image
   * @throws IllegalArgumentException if the sizes disagree or a value is NaN
   */
  public static RgbImage fromFloats(int width, int height, float[] hwc) {
    long expected = checkedPixels(width, height) * 3;
    if (hwc.length != expected) {
      throw new IllegalArgumentException(
          "hwc must hold %dx%dx3 = %d floats but holds %d"
              .formatted(width, height, expected, hwc.length));
    }
    byte[] out = new byte[hwc.length];
    for (int i = 0; i < hwc.length; i++) {
      float v = hwc[i];
      if (Float.isNaN(v)) {
        // NaN usually means a half-precision VAE overflowed; a black image would hide that.
        throw new IllegalArgumentException("hwc[" + i + "] must be a number in [0, 1] but is NaN");
      }
      float clamped = Math.min(1f, Math.max(0f, v));
      out[i] = (byte) Math.rint(clamped * 255f);
    }
    return new RgbImage(width, height, out);
  }

  /**
   * Converts any {@link BufferedImage} to RGB, dropping alpha as PIL's {@code convert("RGB")} does.
   *
   * <p>Alpha is discarded, not composited onto a background: a fully transparent pixel keeps
   * whatever colour it stores. Grey images are read from the raster so that grey level {@code v}
   * becomes {@code (v, v, v)}; going through {@link BufferedImage#getRGB} would treat the JDK's
   * grey colour space as linear and brighten every mid tone. Samples wider than 8 bits are scaled
   * with rounding.
   *
   * @param image the image to convert
   * @return the RGB pixels
   * @throws IllegalArgumentException if the image is larger than an array can hold
   */
  public static RgbImage from(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[Math.toIntExact(checkedPixels(w, h) * 3)];
    ColorModel cm = image.getColorModel();
    if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      Raster raster = image.getRaster();
      int max = (1 << cm.getComponentSize(0)) - 1;
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
          byte v = (byte) ((row[x] * 255 + max / 2) / max);
          out[o] = v;
          out[o + 1] = v;
          out[o + 2] = v;
        }
      }
    } else if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
        || image.getType() == BufferedImage.TYPE_4BYTE_ABGR) {
      // What PNG and JPEG decode to: the raster's samples in band order are R, G, B (and A), the
      // very values getRGB returns for these sRGB types, without a colour model call per pixel.
      int bands = image.getType() == BufferedImage.TYPE_3BYTE_BGR ? 3 : 4;
      Raster raster = image.getRaster();
      byte[] row = new byte[w * bands];
      for (int y = 0; y < h; y++) {
        raster.getDataElements(0, y, w, 1, row);
        if (bands == 3) {
          System.arraycopy(row, 0, out, y * w * 3, w * 3);
        } else {
          for (int x = 0, o = y * w * 3, i = 0; x < w; x++, o += 3, i += 4) {
            out[o] = row[i];
            out[o + 1] = row[i + 1];
            out[o + 2] = row[i + 2];
          }
        }
      }
    } else {
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
          out[o] = (byte) (row[x] >> 16);
          out[o + 1] = (byte) (row[x] >> 8);
          out[o + 2] = (byte) row[x];
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /**
   * Returns one pixel packed as {@code 0xRRGGBB}.
   *
   * @param x the column, from 0
   * @param y the row, from 0
   * @return the pixel, with the top byte zero
   * @throws IndexOutOfBoundsException if {@code (x, y)} lies outside the image
   */
  public int rgbAt(int x, int y) {
    Objects.checkIndex(x, width);
    Objects.checkIndex(y, height);
    int i = (y * width + x) * 3;
    return (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
  }

  /**
   * Returns the pixels as float HWC values {@code v / 255} in [0, 1].
   *
   * <p>This is diffusers' {@code pil_to_numpy}: float32 division, correctly rounded.
   *
   * @return {@code height * width * 3} floats, channel fastest
   */
  public float[] toFloatsHwc() {
    float[] out = new float[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      out[i] = (rgb[i] & 0xff) / 255f;
    }
    return out;
  }

  /**
   * Returns the pixels as planar CHW floats in [-1, 1], the VAE encoder's input.
   *
   * <p>Computed in float32 in two roundings, {@code x = v / 255} then {@code 2 * x - 1}, exactly as
   * diffusers' {@code pil_to_numpy} followed by {@code normalize} does; a single {@code v / 127.5 -
   * 1} differs in the last bit for some values.
   *
   * @return {@code 3 * height * width} floats: all red values, then green, then blue
   */
  public float[] toNormalizedChw() {
    int plane = width * height;
    float[] out = new float[rgb.length];
    for (int p = 0; p < plane; p++) {
      for (int c = 0; c < 3; c++) {
        float x = (rgb[p * 3 + c] & 0xff) / 255f;
        out[c * plane + p] = 2f * x - 1f;
      }
    }
    return out;
  }

  /**
   * Copies the pixels into a new {@link BufferedImage#TYPE_3BYTE_BGR} image.
   *
   * @return an image that shares nothing with this record
   */
  public BufferedImage toBufferedImage() {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < rgb.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    return image;
  }

  /** Compares size and pixel contents. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other
        && width == other.width
        && height == other.height
        && Arrays.equals(rgb, other.rgb);
  }

  /** Hashes size and pixel contents. */
  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + Arrays.hashCode(rgb);
  }

  /** Describes the size only; the pixels would be unreadable. */
  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }

  /** Returns {@code width * height} after checking both sides and the array-size limit. */
  static long checkedPixels(int width, int height) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "width and height must be at least 1 but were " + width + "x" + height);
    }
    long pixels = (long) width * height;
    // Three bytes or floats per pixel must still fit one Java array.
    if (pixels * 3 > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "image is %dx%d = %d pixels but at most %d fit in one array"
              .formatted(width, height, pixels, (Integer.MAX_VALUE - 8) / 3));
    }
    return pixels;
  }
}
