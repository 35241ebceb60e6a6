package dev.atelier.engine.onnx.grounding.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Connected components of a binary grid with 8-connectivity.
 *
 * <p>Diagonal neighbours count as connected so that a thin diagonal object, which a thresholded
 * heat map often yields, stays one region instead of breaking into single pixels.
 */
public final class Components {
  private Components() {}

  /**
   * One component: its pixel indices and centroid.
   *
   * @param pixels row-major indices of its pixels, in scan order
   * @param centroidX mean column
   * @param centroidY mean row
   */
  public record Component(int[] pixels, double centroidX, double centroidY) {}

  /**
   * Labels the set pixels of {@code on}.
   *
   * @param on {@code width * height} flags
   * @param width the grid width
   * @param height the grid height
   * @return the components in order of their first pixel in scan order
   */
  public static List<Component> label(boolean[] on, int width, int height) {
    if (on.length != width * height) {
      throw new IllegalArgumentException(
          "grid must hold %dx%d = %d flags but holds %d"
              .formatted(width, height, width * height, on.length));
    }
    boolean[] seen = new boolean[on.length];
    int[] stack = new int[on.length];
    List<Component> out = new ArrayList<>();
    for (int start = 0; start < on.length; start++) {
      if (!on[start] || seen[start]) {
        continue;
      }
      // An explicit stack: recursion would overflow on a region of a few thousand pixels.
      int top = 0;
      int size = 0;
      int[] members = new int[16];
      long sumX = 0;
      long sumY = 0;
      stack[top++] = start;
      seen[start] = true;
      while (top > 0) {
        int p = stack[--top];
        if (size == members.length) {
          members = Arrays.copyOf(members, size * 2);
        }
        members[size++] = p;
        int px = p % width;
        int py = p / width;
        sumX += px;
        sumY += py;
        for (int dy = -1; dy <= 1; dy++) {
          int ny = py + dy;
          if (ny < 0 || ny >= height) {
            continue;
          }
          for (int dx = -1; dx <= 1; dx++) {
            int nx = px + dx;
            int q = ny * width + nx;
            if (nx >= 0 && nx < width && on[q] && !seen[q]) {
              seen[q] = true;
              stack[top++] = q;
            }
          }
        }
      }
      int[] pixels = Arrays.copyOf(members, size);
      Arrays.sort(pixels);
      out.add(new Component(pixels, (double) sumX / size, (double) sumY / size));
    }
    return out;
  }
}
