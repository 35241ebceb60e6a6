package dev.atelier.engine.onnx.grounding.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DistanceTransformTest {

  @Test
  void distancesAreExactlyTheBruteForceOnesAcrossColumnBlocks() {
    Random random = new Random(3);
    // Widths below, at and across the 16-column blocks, with a partial last block.
    for (int[] size : new int[][] {{1, 9}, {16, 5}, {37, 23}, {70, 3}}) {
      int w = size[0];
      int h = size[1];
      boolean[] on = new boolean[w * h];
      for (int i = 0; i < on.length; i++) {
        on[i] = random.nextInt(9) == 0;
      }
      on[random.nextInt(on.length)] = true;
      double[] d = DistanceTransform.euclidean(on, w, h);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          long best = Long.MAX_VALUE;
          for (int q = 0; q < on.length; q++) {
            if (on[q]) {
              long dx = q % w - x;
              long dy = q / w - y;
              best = Math.min(best, dx * dx + dy * dy);
            }
          }
          assertThat(d[y * w + x]).as("(%d, %d) in %dx%d", x, y, w, h).isEqualTo(Math.sqrt(best));
        }
      }
    }
  }
}
