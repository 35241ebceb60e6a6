package dev.atelier.server;

import dev.atelier.core.AtelierException;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.GroundingQuery;
import dev.atelier.core.edit.Region;
import dev.atelier.core.image.Box;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A grounder for tests: each known phrase owns a fixed vertical strip of the image (fractions of
 * the width; the right quarter belongs to nothing); anything else grounds to nothing, as a real
 * model below its threshold would.
 *
 * <p>Keep phrases are subtracted like the real region finder does, and a target left with nothing
 * is the same 400. A vague keep phrase ("everything else", "the rest", "other") grounds to the
 * whole image, as CLIPSeg's does, so a planner that sent one would fail here as it does in
 * production. Every query is recorded in {@link #queries}.
 */
final class FakeGrounder implements Grounder {
  static final Map<String, double[]> STRIPS =
      Map.of(
          "sofa", new double[] {0.0, 0.15},
          "cup", new double[] {0.15, 0.3},
          "wall", new double[] {0.3, 0.45},
          "table", new double[] {0.45, 0.6},
          "lamp", new double[] {0.6, 0.75});

  private final Map<String, double[]> strips;

  /** The queries received, in order. */
  final List<GroundingQuery> queries = new CopyOnWriteArrayList<>();

  FakeGrounder() {
    this(STRIPS);
  }

  /** A grounder that knows exactly {@code strips}. */
  FakeGrounder(Map<String, double[]> strips) {
    this.strips = Map.copyOf(strips);
  }

  @Override
  public Region locate(RgbImage image, GroundingQuery q) {
    queries.add(q);
    double[] strip = strips.get(q.phrase());
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
    // As the real grounder does: a keep that covers the whole target is not cut out, with a note.
    List<String> notes = new java.util.ArrayList<>();
    for (String keep : q.keep()) {
      double[] k =
          vague(keep) ? new double[] {0, 1} : strips.getOrDefault(keep, new double[] {0, 0});
      float[] without = v.clone();
      for (int y = 0; y < h; y++) {
        for (int x = (int) Math.round(k[0] * w); x < Math.round(k[1] * w); x++) {
          without[y * w + x] = 0f;
        }
      }
      if (new Mask(w, h, without).isEmpty()) {
        notes.add("keep '" + keep + "' covers the whole target '" + q.phrase() + "'");
      } else {
        v = without;
      }
    }
    Mask m = new Mask(w, h, v);
    return new Region(m, m, 0.93, new Box(x0, 0, x1 - x0, h), notes);
  }

  private static boolean vague(String phrase) {
    return phrase
        .toLowerCase(Locale.ROOT)
        .matches(".*\\b(?:everything|rest|else)\\b.*|other(?: elements| parts)?");
  }
}
