package dev.atelier.engine.onnx.grounding.internal;

/**
 * Operations on row-major float grids: the sigmoid and bilinear resampling of a logit map.
 *
 * <p>Resampling follows {@code torch.nn.functional.interpolate(mode="bilinear",
 * align_corners=False)}, the convention CLIPSeg's own examples use to bring its 352x352 logits to
 * the image size: pixel centres sit at half-integer positions and coordinates outside the grid are
 * clamped to its edge.
 */
public final class FloatGrids {
  private FloatGrids() {}

  /**
   * Applies the logistic function to every value.
   *
   * @param logits the values
   * @return a new array of probabilities in [0, 1]
   */
  public static float[] sigmoid(float[] logits) {
    float[] p = new float[logits.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (1.0 / (1.0 + Math.exp(-logits[i])));
    }
    return p;
  }

  /**
   * Resamples a grid bilinearly with half-pixel centres.
   *
   * @param in {@code width * height} values
   * @param width the input width
   * @param height the input height
   * @param newWidth the output width, at least 1
   * @param newHeight the output height, at least 1
   * @return {@code newWidth * newHeight} values
   * @throws IllegalArgumentException if the sizes disagree with the array
   */
  public static float[] resizeBilinear(
      float[] in, int width, int height, int newWidth, int newHeight) {
    if (width < 1 || height < 1 || newWidth < 1 || newHeight < 1) {
      throw new IllegalArgumentException(
          "sizes must be at least 1 but were %dx%d -> %dx%d"
              .formatted(width, height, newWidth, newHeight));
    }
    if (in.length != width * height) {
      throw new IllegalArgumentException(
          "grid must hold %dx%d = %d values but holds %d"
              .formatted(width, height, width * height, in.length));
    }
    int[] x0 = new int[newWidth];
    int[] x1 = new int[newWidth];
    float[] fx = new float[newWidth];
    taps(width, newWidth, x0, x1, fx);
    int[] y0 = new int[newHeight];
    int[] y1 = new int[newHeight];
    float[] fy = new float[newHeight];
    taps(height, newHeight, y0, y1, fy);
    float[] out = new float[newWidth * newHeight];
    for (int y = 0; y < newHeight; y++) {
      int r0 = y0[y] * width;
      int r1 = y1[y] * width;
      for (int x = 0; x < newWidth; x++) {
        float top = in[r0 + x0[x]] * (1 - fx[x]) + in[r0 + x1[x]] * fx[x];
        float bottom = in[r1 + x0[x]] * (1 - fx[x]) + in[r1 + x1[x]] * fx[x];
        out[y * newWidth + x] = top * (1 - fy[y]) + bottom * fy[y];
      }
    }
    return out;
  }

  private static void taps(int in, int out, int[] lo, int[] hi, float[] frac) {
    double scale = (double) in / out;
    for (int d = 0; d < out; d++) {
      // PyTorch clamps negative source coordinates to 0 rather than extrapolating.
      double src = Math.max((d + 0.5) * scale - 0.5, 0.0);
      int i = Math.min((int) src, in - 1);
      lo[d] = i;
      hi[d] = Math.min(i + 1, in - 1);
      frac[d] = (float) (src - i);
    }
  }
}
