package dev.atelier.engine.onnx.grounding.internal;

/**
 * Exact Euclidean distance from every pixel to the nearest set pixel.
 *
 * <p>Felzenszwalb and Huttenlocher's separable lower-envelope method (Theory of Computing 8, 2012):
 * one pass of 1-D squared distances per column, then one per row, linear in the pixel count. A
 * brute-force disk scan would cost {@code radius^2} per pixel, too slow for a 64 px feather on a
 * 1024x1024 image.
 */
public final class DistanceTransform {
  private static final double INF = 1e20;
  private static final int COLUMN_BLOCK = 16;

  private DistanceTransform() {}

  /**
   * Distances in pixels from each pixel to the nearest pixel where {@code on} is set.
   *
   * @param on {@code width * height} flags
   * @param width the grid width
   * @param height the grid height
   * @return distances; 0 on set pixels; very large (about 1e10) everywhere when none is set
   */
  public static double[] euclidean(boolean[] on, int width, int height) {
    double[] f = new double[on.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = on[i] ? 0 : INF;
    }
    int n = Math.max(width, height);
    double[] line = new double[n];
    double[] result = new double[n];
    int[] v = new int[n];
    double[] z = new double[n + 1];
    // Columns go in blocks read and written a row segment at a time: walking one column down a
    // 3840-pixel-wide image touches a new cache line per pixel. Each column's arithmetic is the
    // same as column by column, so the distances are the same bits.
    double[][] cols = new double[COLUMN_BLOCK][height];
    for (int x0 = 0; x0 < width; x0 += COLUMN_BLOCK) {
      int b = Math.min(COLUMN_BLOCK, width - x0);
      for (int y = 0; y < height; y++) {
        int row = y * width + x0;
        for (int k = 0; k < b; k++) {
          cols[k][y] = f[row + k];
        }
      }
      for (int k = 0; k < b; k++) {
        squared1d(cols[k], height, result, v, z);
        System.arraycopy(result, 0, cols[k], 0, height);
      }
      for (int y = 0; y < height; y++) {
        int row = y * width + x0;
        for (int k = 0; k < b; k++) {
          f[row + k] = cols[k][y];
        }
      }
    }
    for (int y = 0; y < height; y++) {
      System.arraycopy(f, y * width, line, 0, width);
      squared1d(line, width, result, v, z);
      for (int x = 0; x < width; x++) {
        f[y * width + x] = Math.sqrt(result[x]);
      }
    }
    return f;
  }

  // Lower envelope of the parabolas (q - p)^2 + f(p), evaluated at every q.
  private static void squared1d(double[] f, int n, double[] d, int[] v, double[] z) {
    int k = 0;
    v[0] = 0;
    z[0] = Double.NEGATIVE_INFINITY;
    z[1] = Double.POSITIVE_INFINITY;
    for (int q = 1; q < n; q++) {
      double s = intersection(f, q, v[k]);
      while (s <= z[k]) {
        k--;
        s = intersection(f, q, v[k]);
      }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = Double.POSITIVE_INFINITY;
    }
    k = 0;
    for (int q = 0; q < n; q++) {
      while (z[k + 1] < q) {
        k++;
      }
      double dq = q - v[k];
      d[q] = dq * dq + f[v[k]];
    }
  }

  private static double intersection(double[] f, int q, int p) {
    return ((f[q] + (double) q * q) - (f[p] + (double) p * p)) / (2.0 * q - 2.0 * p);
  }
}
