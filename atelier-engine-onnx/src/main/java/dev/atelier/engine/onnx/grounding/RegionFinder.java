package dev.atelier.engine.onnx.grounding;

import dev.atelier.core.AtelierException;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.grounding.internal.Components;
import dev.atelier.engine.onnx.grounding.internal.Components.Component;
import dev.atelier.engine.onnx.grounding.internal.DistanceTransform;
import dev.atelier.engine.onnx.grounding.internal.FloatGrids;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns a phrase into an inpainting mask: CLIPSeg logits, then region choice, growth and softening.
 *
 * <p>The stages, in order: sigmoid of the logits; bilinear upsampling of the probabilities to the
 * image size; {@link RegionQuery#threshold()}; 8-connected components; the choice of component by
 * side and ordinal (see {@link RegionQuery}); dilation by {@link RegionQuery#dilate()} pixels
 * (Euclidean disk); subtraction of the keep regions; feathering over {@link RegionQuery#feather()}
 * pixels.
 *
 * <p>Keep phrases are thresholded like the target (every component, not just one), dilated by the
 * same radius, and subtracted from the dilated target region; feathering then grows outward from
 * what is left but is zeroed on the dilated keep area as well. Subtracting after both dilations is
 * deliberate: growing the target after the subtraction would spill back into the kept object, and
 * subtracting an undilated keep would leave its soft border (where CLIPSeg's probability fades
 * below the threshold) editable. Kept pixels are therefore never edited, at the cost of a margin of
 * {@code dilate} pixels around them.
 *
 * <p>Thread-safe when the model is; the static {@link #locate} is pure.
 */
public final class RegionFinder {
  private final ClipSegModel model;

  /**
   * Creates a finder that runs {@code model}; the caller keeps ownership of the model.
   *
   * @param model the loaded CLIPSeg model
   */
  public RegionFinder(ClipSegModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /**
   * Grounds {@code query} in {@code image}, running the target and keep phrases as one batch.
   *
   * @param image the image to search
   * @param query what to find
   * @return the mask and what was found
   * @throws AtelierException.InvalidRequest when the target grounds to nothing, the ordinal exceeds
   *     the number of regions, or the keep regions cover the whole target
   */
  public GroundingResult find(RgbImage image, RegionQuery query) {
    List<String> phrases = new ArrayList<>();
    phrases.add(query.target());
    phrases.addAll(query.keep());
    float[][] logits = model.logits(image, phrases);
    int w = model.outputWidth();
    int h = model.outputHeight();
    List<LogitGrid> keeps = new ArrayList<>();
    for (int i = 1; i < logits.length; i++) {
      keeps.add(new LogitGrid(w, h, logits[i]));
    }
    return locate(query, new LogitGrid(w, h, logits[0]), keeps, image.width(), image.height());
  }

  /**
   * Grounds {@code query} given logits already computed, one grid per phrase.
   *
   * @param query what to find; its phrases are used only in messages
   * @param target the target phrase's logits
   * @param keeps the keep phrases' logits, any number
   * @param imageWidth the width of the mask to produce
   * @param imageHeight the height of the mask to produce
   * @return the mask and what was found
   * @throws AtelierException.InvalidRequest as {@link #find} does
   */
  public static GroundingResult locate(
      RegionQuery query, LogitGrid target, List<LogitGrid> keeps, int imageWidth, int imageHeight) {
    int w = imageWidth;
    int h = imageHeight;
    float[] prob = probabilities(target, w, h);
    float best = 0f;
    for (float p : prob) {
      best = Math.max(best, p);
    }
    List<Component> found = Components.label(above(prob, query.threshold()), w, h);
    if (found.isEmpty()) {
      throw new AtelierException.InvalidRequest(
          "",
          String.format(
              Locale.ROOT,
              "target '%s' grounds to nothing (best score %.2f < threshold %s)",
              query.target(),
              best,
              query.threshold()));
    }
    boolean[] region = grow(choose(query, found, w, h), w, h, query.dilate());
    // A keep phrase whose region covers the whole target is the grounding model reading "the
    // other furniture" as including the sofa to change: subtracting it would leave nothing to
    // edit. It is left out and reported; compositing keeps every pixel outside the target anyway.
    boolean[] kept = new boolean[w * h];
    List<String> ignored = new ArrayList<>();
    for (int j = 0; j < keeps.size(); j++) {
      boolean[] k =
          grow(above(probabilities(keeps.get(j), w, h), query.threshold()), w, h, query.dilate());
      if (!anyLeft(region, k)) {
        ignored.add(j < query.keep().size() ? query.keep().get(j) : "keep " + j);
        continue;
      }
      for (int i = 0; i < kept.length; i++) {
        kept[i] |= k[i];
      }
    }
    if (!anyLeft(region, kept)) {
      // Together the keeps cover the target though none does alone: subtract none of them.
      for (int j = 0; j < keeps.size(); j++) {
        String phrase = j < query.keep().size() ? query.keep().get(j) : "keep " + j;
        if (!ignored.contains(phrase)) {
          ignored.add(phrase);
        }
      }
      kept = new boolean[w * h];
    }
    float[] hard = new float[w * h];
    for (int i = 0; i < hard.length; i++) {
      region[i] &= !kept[i];
      hard[i] = region[i] ? 1f : 0f;
    }
    float[] soft = feather(region, kept, w, h, query.feather());
    return new GroundingResult(
        new Mask(w, h, soft), new Mask(w, h, hard), best, found.size(), box(soft, w, h), ignored);
  }

  /** Whether some pixel of {@code region} lies outside {@code kept}. */
  private static boolean anyLeft(boolean[] region, boolean[] kept) {
    for (int i = 0; i < region.length; i++) {
      if (region[i] && !kept[i]) {
        return true;
      }
    }
    return false;
  }

  private static float[] probabilities(LogitGrid grid, int w, int h) {
    float[] p = FloatGrids.sigmoid(grid.values());
    return FloatGrids.resizeBilinear(p, grid.width(), grid.height(), w, h);
  }

  private static boolean[] above(float[] prob, float threshold) {
    boolean[] on = new boolean[prob.length];
    for (int i = 0; i < on.length; i++) {
      on[i] = prob[i] >= threshold;
    }
    return on;
  }

  private static boolean[] choose(RegionQuery q, List<Component> found, int w, int h) {
    boolean[] on = new boolean[w * h];
    List<Component> chosen;
    if (q.side() == RegionQuery.Side.ANY && q.ordinal() == 0) {
      chosen = found;
    } else {
      List<Component> ordered = new ArrayList<>(found);
      ordered.sort(order(q.side(), w, h));
      int k = Math.max(q.ordinal(), 1);
      if (k > ordered.size()) {
        throw new AtelierException.InvalidRequest(
            "",
            "target '%s' has %d region%s but region %d from %s was asked"
                .formatted(
                    q.target(),
                    ordered.size(),
                    ordered.size() == 1 ? "" : "s",
                    k,
                    q.side().name().toLowerCase(Locale.ROOT)));
      }
      chosen = List.of(ordered.get(k - 1));
    }
    for (Component c : chosen) {
      for (int p : c.pixels()) {
        on[p] = true;
      }
    }
    return on;
  }

  private static Comparator<Component> order(RegionQuery.Side side, int w, int h) {
    double cx = (w - 1) / 2.0;
    double cy = (h - 1) / 2.0;
    // Ties (rare with real centroids) fall back to scan order, which the list already has.
    return switch (side) {
      case ANY, LEFT -> Comparator.comparingDouble(Component::centroidX);
      case RIGHT -> Comparator.comparingDouble((Component c) -> -c.centroidX());
      case TOP -> Comparator.comparingDouble(Component::centroidY);
      case BOTTOM -> Comparator.comparingDouble((Component c) -> -c.centroidY());
      case CENTER ->
          Comparator.comparingDouble(
              (Component c) -> Math.hypot(c.centroidX() - cx, c.centroidY() - cy));
    };
  }

  private static boolean[] grow(boolean[] on, int w, int h, int radius) {
    if (radius == 0) {
      return on;
    }
    double[] d = DistanceTransform.euclidean(on, w, h);
    boolean[] out = new boolean[on.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = d[i] <= radius;
    }
    return out;
  }

  // 1 inside, 1 - d / radius at distance d outside, never on a kept pixel.
  private static float[] feather(boolean[] region, boolean[] kept, int w, int h, int radius) {
    float[] out = new float[region.length];
    double[] d = radius > 0 ? DistanceTransform.euclidean(region, w, h) : null;
    for (int i = 0; i < out.length; i++) {
      if (region[i]) {
        out[i] = 1f;
      } else if (d != null && !kept[i]) {
        out[i] = (float) Math.max(0.0, 1.0 - d[i] / radius);
      }
    }
    return out;
  }

  private static Box box(float[] mask, int w, int h) {
    int x0 = w;
    int y0 = h;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (mask[y * w + x] > 0f) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
    }
    return new Box(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  }
}
