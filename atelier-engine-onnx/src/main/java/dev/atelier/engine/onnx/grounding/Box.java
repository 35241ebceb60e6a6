package dev.atelier.engine.onnx.grounding;

/**
 * An axis-aligned pixel rectangle: columns {@code [x, x + width)}, rows {@code [y, y + height)}.
 *
 * @param x the left column, from 0
 * @param y the top row, from 0
 * @param width at least 1
 * @param height at least 1
 */
public record Box(int x, int y, int width, int height) {

  /**
   * Validates the corner and sides.
   *
   * @throws IllegalArgumentException if the corner is negative or a side is below 1
   */
  public Box {
    if (x < 0 || y < 0) {
      throw new IllegalArgumentException("box corner must be >= 0 but was " + x + "," + y);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "box sides must be at least 1 but were " + width + "x" + height);
    }
  }
}
