package dev.atelier.engine.onnx.grounding;

import java.util.Objects;

/**
 * One phrase's CLIPSeg logits on the model's output grid, before the sigmoid.
 *
 * <p>As with {@link dev.atelier.core.image.Mask} the array is neither copied nor to be modified.
 *
 * @param width the grid width, at least 1
 * @param height the grid height, at least 1
 * @param values {@code width * height} logits, row-major
 */
public record LogitGrid(int width, int height, float[] values) {

  /**
   * Validates the size against the array.
   *
   * @throws IllegalArgumentException if a side is below 1 or the length is not {@code width *
   *     height}
   */
  public LogitGrid {
    Objects.requireNonNull(values, "values");
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "logit grid sides must be at least 1 but were " + width + "x" + height);
    }
    if (values.length != (long) width * height) {
      throw new IllegalArgumentException(
          "logit grid must hold %dx%d = %d values but holds %d"
              .formatted(width, height, (long) width * height, values.length));
    }
  }
}
