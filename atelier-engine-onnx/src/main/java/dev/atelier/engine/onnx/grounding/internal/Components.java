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
    // Each pixel gets its component's number (from 1) as the flood fill reaches it; one scan over
    // the labels then hands every component its pixels already in scan order, with no per-component
    // growing list and no sort.
    int[] labels = new int[on.length];
    int[] stack = new int[on.length];
    int[] sizes = new int[16];
    long[][] sums = new long[16][];
    int count = 0;
    for (int start = 0; start < on.length; start++) {
      if (!on[start] || labels[start] != 0) {
        continue;
      }
      int id = ++count;
      if (count == sizes.length) {
        sizes = Arrays.copyOf(sizes, count * 2);
        sums = Arrays.copyOf(sums, count * 2);
      }
      // An explicit stack: recursion would overflow on a region of a few thousand pixels.
      int top = 0;
      int size = 0;
      long sumX = 0;
      long sumY = 0;
      stack[top++] = start;
      labels[start] = id;
      while (top > 0) {
        int p = stack[--top];
        size++;
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
            if (nx >= 0 && nx < width && on[q] && labels[q] == 0) {
              labels[q] = id;
              stack[top++] = q;
            }
          }
        }
      }
      sizes[id] = size;
      sums[id] = new long[] {sumX, sumY};
    }
    stack = null;
    int[][] pixels = new int[count + 1][];
    int[] filled = new int[count + 1];
    for (int id = 1; id <= count; id++) {
      pixels[id] = new int[sizes[id]];
    }
    for (int p = 0; p < labels.length; p++) {
      int id = labels[p];
      if (id != 0) {
        pixels[id][filled[id]++] = p;
      }
    }
    List<Component> out = new ArrayList<>(count);
    for (int id = 1; id <= count; id++) {
      int size = sizes[id];
      out.add(new Component(pixels[id], (double) sums[id][0] / size, (double) sums[id][1] / size));
    }
    return out;
  }
}
