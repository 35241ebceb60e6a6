package dev.atelier.core.image;

import java.util.Random;

/** Seeded synthetic images and masks for the metric and compositing tests. */
final class MetricFixtures {

  private MetricFixtures() {}

  /** Uniform noise in every channel. */
  static RgbImage noise(int width, int height, long seed) {
    byte[] rgb = new byte[width * height * 3];
    new Random(seed).nextBytes(rgb);
    return new RgbImage(width, height, rgb);
  }

  /** Smooth gradients plus mild noise: textured like a photo, unlike pure noise. */
  static RgbImage texture(int width, int height, long seed) {
    Random random = new Random(seed);
    byte[] rgb = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = (y * width + x) * 3;
        rgb[i] = clamp(40 + 3 * x + random.nextInt(21) - 10);
        rgb[i + 1] = clamp(200 - 2 * y + random.nextInt(21) - 10);
        rgb[i + 2] = clamp(128 + (int) (60 * Math.sin((x + y) / 5.0)) + random.nextInt(11) - 5);
      }
    }
    return new RgbImage(width, height, rgb);
  }

  /** Every pixel the same grey. */
  static RgbImage flat(int width, int height, int grey) {
    byte[] rgb = new byte[width * height * 3];
    java.util.Arrays.fill(rgb, (byte) grey);
    return new RgbImage(width, height, rgb);
  }

  /** Adds uniform noise in [-amplitude, amplitude] to every channel, clamped. */
  static RgbImage perturbed(RgbImage image, int amplitude, long seed) {
    Random random = new Random(seed);
    byte[] out = image.rgb().clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = clamp((out[i] & 0xff) + random.nextInt(2 * amplitude + 1) - amplitude);
    }
    return new RgbImage(image.width(), image.height(), out);
  }

  /**
   * A disc of ones with a linear feather: 1 within {@code radius}, falling to 0 over {@code
   * feather} pixels, 0 beyond.
   */
  static Mask featheredDisc(
      int width, int height, double cx, double cy, double radius, int feather) {
    float[] values = new float[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double d = Math.hypot(x - cx, y - cy);
        double v = d <= radius ? 1 : Math.max(0, 1 - (d - radius) / feather);
        values[y * width + x] = (float) v;
      }
    }
    return new Mask(width, height, values);
  }

  private static byte clamp(int v) {
    return (byte) Math.max(0, Math.min(255, v));
  }
}
