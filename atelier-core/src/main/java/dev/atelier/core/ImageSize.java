package dev.atelier.core;

/**
 * Output width and height in pixels; both are multiples of 8 (the VAE's downsampling).
 *
 * @param width pixels, 8..8192 and a multiple of 8
 * @param height pixels, 8..8192 and a multiple of 8
 */
public record ImageSize(int width, int height) {
  /** The largest side any engine accepts; models may allow less. */
  public static final int MAX_SIDE = 8192;

  /** Validates both sides. */
  public ImageSize {
    check("width", width);
    check("height", height);
  }

  private static void check(String name, int v) {
    if (v < 8 || v > MAX_SIDE || v % 8 != 0) {
      throw new IllegalArgumentException(
          name + " must be a multiple of 8 between 8 and " + MAX_SIDE + " but was " + v);
    }
  }

  /**
   * Parses {@code WIDTHxHEIGHT}, e.g. {@code 512x512}.
   *
   * @throws IllegalArgumentException when the text is not of that form or a side is invalid
   */
  public static ImageSize parse(String text) {
    String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "size must be WIDTHxHEIGHT (e.g. 512x512) but was '" + text + "'");
    }
    try {
      return new ImageSize(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "size must be WIDTHxHEIGHT (e.g. 512x512) but was '" + text + "'");
    }
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
