package dev.atelier.core.batch;

import dev.atelier.core.image.RgbImage;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Drawn and seeded images for the batch tests: scenes with structure, flat colours, noise. */
final class BatchFixtures {

  private BatchFixtures() {}

  /**
   * A landscape at dawn: a sky gradient, a sun, a hill and a house, drawn at any size so that the
   * same scene can be compared across resolutions.
   */
  static RgbImage dawn(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.scale(width / 256.0, height / 256.0);
    g.setPaint(new GradientPaint(0, 0, new Color(40, 60, 160), 0, 170, new Color(250, 150, 60)));
    g.fillRect(0, 0, 256, 256);
    g.setColor(new Color(255, 220, 120));
    g.fillOval(160, 90, 50, 50);
    g.setColor(new Color(40, 90, 50));
    g.fillOval(-60, 150, 300, 200);
    g.setColor(new Color(150, 60, 40));
    g.fillRect(40, 150, 50, 40);
    g.setColor(new Color(90, 30, 30));
    g.fillPolygon(new int[] {30, 65, 100}, new int[] {150, 115, 150}, 3);
    g.dispose();
    return RgbImage.from(img);
  }

  /** A different composition: vertical stripes and a dark disc on the left. */
  static RgbImage stripes(int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.scale(width / 256.0, height / 256.0);
    for (int x = 0; x < 256; x += 32) {
      g.setColor((x / 32) % 2 == 0 ? new Color(230, 230, 210) : new Color(60, 70, 80));
      g.fillRect(x, 0, 32, 256);
    }
    g.setColor(new Color(20, 20, 20));
    g.fillOval(20, 80, 90, 90);
    g.dispose();
    return RgbImage.from(img);
  }

  /** Every pixel one colour. */
  static RgbImage flat(int width, int height, int r, int g, int b) {
    byte[] rgb = new byte[width * height * 3];
    for (int i = 0; i < rgb.length; i += 3) {
      rgb[i] = (byte) r;
      rgb[i + 1] = (byte) g;
      rgb[i + 2] = (byte) b;
    }
    return new RgbImage(width, height, rgb);
  }

  /** Uniform noise in every channel. */
  static RgbImage noise(int width, int height, long seed) {
    byte[] rgb = new byte[width * height * 3];
    new Random(seed).nextBytes(rgb);
    return new RgbImage(width, height, rgb);
  }

  /** Adds uniform noise in [-amplitude, amplitude] to every channel, clamped. */
  static RgbImage perturbed(RgbImage image, int amplitude, long seed) {
    Random random = new Random(seed);
    byte[] in = image.rgb();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = clamp((in[i] & 0xff) + random.nextInt(2 * amplitude + 1) - amplitude);
    }
    return new RgbImage(image.width(), image.height(), out);
  }

  /** Adds {@code delta} to every channel, clamped. */
  static RgbImage brighter(RgbImage image, int delta) {
    byte[] in = image.rgb();
    byte[] out = new byte[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = clamp((in[i] & 0xff) + delta);
    }
    return new RgbImage(image.width(), image.height(), out);
  }

  /** The same pixels in a seeded random order. */
  static RgbImage shuffled(RgbImage image, long seed) {
    List<Integer> pixels = new ArrayList<>();
    for (int p = 0; p < image.width() * image.height(); p++) {
      pixels.add(p);
    }
    Collections.shuffle(pixels, new Random(seed));
    byte[] in = image.rgb();
    byte[] out = new byte[in.length];
    for (int p = 0; p < pixels.size(); p++) {
      System.arraycopy(in, pixels.get(p) * 3, out, p * 3, 3);
    }
    return new RgbImage(image.width(), image.height(), out);
  }

  private static byte clamp(int v) {
    return (byte) Math.max(0, Math.min(255, v));
  }
}
