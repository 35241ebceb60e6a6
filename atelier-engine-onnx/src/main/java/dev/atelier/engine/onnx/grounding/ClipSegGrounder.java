package dev.atelier.engine.onnx.grounding;

import dev.atelier.core.AtelierException;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.GroundingQuery;
import dev.atelier.core.edit.Region;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.model.OrtSettings;
import java.nio.file.Path;
import java.util.Locale;

/** {@link Grounder} on a CLIPSeg model folder. Thread-safe; owns the model. */
public final class ClipSegGrounder implements Grounder, AutoCloseable {
  private final ClipSegModel model;
  private final RegionFinder finder;

  /** Wraps a loaded model; the grounder closes it. */
  public ClipSegGrounder(ClipSegModel model) {
    this.model = model;
    this.finder = new RegionFinder(model);
  }

  /**
   * Loads a CLIPSeg folder ({@code Xenova/clipseg-rd64-refined} layout).
   *
   * @throws AtelierException.ModelUnavailable when the folder does not fit
   */
  public static ClipSegGrounder load(Path folder, OrtSettings settings) {
    return new ClipSegGrounder(ClipSegModel.load(folder, settings));
  }

  @Override
  public Region locate(RgbImage image, GroundingQuery q) {
    RegionQuery.Side side =
        q.side().isEmpty()
            ? RegionQuery.Side.ANY
            : RegionQuery.Side.valueOf(q.side().toUpperCase(Locale.ROOT));
    RegionQuery query =
        RegionQuery.of(q.phrase())
            .withKeep(q.keep())
            .withChoice(side, q.ordinal())
            .withDilate(q.dilatePx())
            .withFeather(q.featherPx())
            .withThreshold((float) q.threshold());
    GroundingResult r = finder.find(image, query);
    Box b = r.box();
    return new Region(
        r.mask(),
        r.hardRegion(),
        r.bestScore(),
        new dev.atelier.core.image.Box(b.x(), b.y(), b.width(), b.height()),
        r.ignoredKeeps().stream()
            .map(
                k ->
                    "keep '"
                        + k
                        + "' covers the whole target '"
                        + q.phrase()
                        + "' in this image, so it was not cut out of the edited region (everything"
                        + " outside the region stays unchanged)")
            .toList());
  }

  @Override
  public void close() {
    model.close();
  }
}
