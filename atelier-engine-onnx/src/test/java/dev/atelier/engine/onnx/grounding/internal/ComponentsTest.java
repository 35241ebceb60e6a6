package dev.atelier.engine.onnx.grounding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ComponentsTest {

  @Test
  void componentsMatchAPlainFloodFillWithSortedPixels() {
    Random random = new Random(11);
    for (int[] size : new int[][] {{1, 1}, {17, 9}, {64, 40}, {200, 3}}) {
      int w = size[0];
      int h = size[1];
      for (int density : new int[] {2, 3, 5}) {
        boolean[] on = new boolean[w * h];
        for (int i = 0; i < on.length; i++) {
          on[i] = random.nextInt(density) == 0;
        }
        List<Components.Component> got = Components.label(on, w, h);
        List<Components.Component> want = reference(on, w, h);
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
          assertThat(got.get(i).pixels()).isEqualTo(want.get(i).pixels());
          assertThat(got.get(i).centroidX()).isEqualTo(want.get(i).centroidX());
          assertThat(got.get(i).centroidY()).isEqualTo(want.get(i).centroidY());
        }
      }
    }
  }

  /** 8-connected flood fill per unvisited pixel in scan order, pixels sorted afterwards. */
  private static List<Components.Component> reference(boolean[] on, int w, int h) {
    boolean[] seen = new boolean[on.length];
    List<Components.Component> out = new ArrayList<>();
    for (int start = 0; start < on.length; start++) {
      if (!on[start] || seen[start]) {
        continue;
      }
      List<Integer> members = new ArrayList<>();
      ArrayList<Integer> stack = new ArrayList<>(List.of(start));
      seen[start] = true;
      long sx = 0;
      long sy = 0;
      while (!stack.isEmpty()) {
        int p = stack.remove(stack.size() - 1);
        members.add(p);
        sx += p % w;
        sy += p / w;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int nx = p % w + dx;
            int ny = p / w + dy;
            if (nx >= 0 && nx < w && ny >= 0 && ny < h && on[ny * w + nx] && !seen[ny * w + nx]) {
              seen[ny * w + nx] = true;
              stack.add(ny * w + nx);
            }
          }
        }
      }
      int[] pixels = members.stream().mapToInt(Integer::intValue).toArray();
      Arrays.sort(pixels);
      out.add(
          new Components.Component(
              pixels, (double) sx / pixels.length, (double) sy / pixels.length));
    }
    return out;
  }
}
