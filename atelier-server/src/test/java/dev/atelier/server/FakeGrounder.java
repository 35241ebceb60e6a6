package dev.atelier.server;

import dev.atelier.core.AtelierException;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.GroundingQuery;
import dev.atelier.core.edit.Region;
import dev.atelier.core.image.Box;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import java.util.Map;

/**
 * A grounder for tests: each known phrase owns a fixed vertical strip of the image (fractions of
 * the width; the right quarter belongs to nothing); anything else grounds to nothing, as a real
 * model below its threshold would.
 */
final class FakeGrounder implements Grounder {
  static final Map<String, double[]> STRIPS =
      Map.of(
          "sofa", new double[] {0.0, 0.15},
          "cup", new double[] {0.15, 0.3},
          "wall", new double[] {0.3, 0.45},
          "table", new double[] {0.45, 0.6},
          "lamp", new double[] {0.6, 0.75});

  @Override
  public Region locate(RgbImage image, GroundingQuery q) {
    double[] strip = STRIPS.get(q.phrase());
    if (strip == null) {
      throw new AtelierException.InvalidRequest(
          "", "target '" + q.phrase() + "' grounds to nothing (best score 0.12 < threshold 0.4)");
    }
    int w = image.width();
    int h = image.height();
    int x0 = (int) Math.round(strip[0] * w);
    int x1 = (int) Math.round(strip[1] * w);
    float[] v = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = x0; x < x1; x++) {
        v[y * w + x] = 1f;
      }
    }
    Mask m = new Mask(w, h, v);
    return new Region(m, m, 0.93, new Box(x0, 0, x1 - x0, h));
  }
}
