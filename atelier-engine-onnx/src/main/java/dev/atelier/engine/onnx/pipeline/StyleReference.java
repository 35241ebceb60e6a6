package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.Reference;
import dev.atelier.core.batch.Palette;
import dev.atelier.core.batch.PaletteMapping;
import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.model.LatentDistribution;
import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.pipeline.internal.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Style references on the local engine: a latent statistics pull during the early steps ({@link
 * StyleStatistics}) and a palette transfer of every decoded image: its dominant colours mapped onto
 * the reference's ({@link PaletteMapping}), which moves the palette further than matching Lab mean
 * and spread or each Lab channel's histogram (docs/benchmarks.md).
 *
 * <p>Each reference is resized to the output size (bicubic) and encoded with the VAE encoder; the
 * mode of its distribution (no draw, so the run's noise is untouched), times the scaling factor,
 * gives per-channel statistics. Several references act as one whose statistics (latent means and
 * spreads) are their average and whose palette holds all their colours and whose weight is their
 * mean weight. A model without a VAE encoder gets the palette transfer only, and provenance says
 * so. Weight 0 changes no pixel.
 */
public final class StyleReference {
  /** No style reference. */
  public static final StyleReference NONE = new StyleReference(0, null, null, 0);

  private final double weight;
  // Null when there is no latent pull (no reference, or no VAE encoder).
  private final StyleStatistics latent;
  // Null when there is no reference.
  private final Palette palette;
  private final int count;

  private StyleReference(double weight, StyleStatistics latent, Palette palette, int count) {
    this.weight = weight;
    this.latent = latent;
    this.palette = palette;
    this.count = count;
  }

  /**
   * Prepares {@code references} (their roles are not checked) for a {@code width x height} run;
   * {@link #NONE} when there are none.
   */
  public static StyleReference prepare(
      StableDiffusionModel model,
      List<Reference> references,
      int width,
      int height,
      RunContext ctx) {
    if (references.isEmpty()) {
      return NONE;
    }
    double weight = references.stream().mapToDouble(Reference::weight).average().orElse(0);
    StyleStatistics latent = null;
    if (model.vaeEncoder().isPresent()) {
      List<StyleStatistics> stats = new ArrayList<>();
      for (Reference r : references) {
        RgbImage sized = Compositor.resizeBicubic(r.image(), width, height);
        LatentDistribution d = VaeStage.encode(model, sized.toNormalizedChw(), width, height, ctx);
        stats.add(StyleStatistics.of(Tensors.scale(d.mode(), model.scalingFactor()), d.shape()));
      }
      latent = StyleStatistics.average(stats);
    }
    return new StyleReference(
        weight,
        latent,
        Palette.ofAll(references.stream().map(Reference::image).toList()),
        references.size());
  }

  /** The (mean) weight; 0 for {@link #NONE}. */
  public double weight() {
    return weight;
  }

  /** True when the latents are pulled as well as the palette transferred. */
  public boolean pullsLatents() {
    return latent != null;
  }

  /** {@code steering} with this reference's latent pull added (unchanged when there is none). */
  public Steering steer(Steering steering) {
    return latent == null ? steering : steering.withStyle(latent, weight);
  }

  /** A decoded image with the reference palette transferred; the image itself for {@link #NONE}. */
  public RgbImage palette(RgbImage decoded) {
    return palette == null ? decoded : PaletteMapping.apply(decoded, palette, weight);
  }

  /** Records what was done, when there was a reference. */
  public void record(Map<String, String> provenance) {
    if (palette == null) {
      return;
    }
    provenance.put("style_reference_weight", Double.toString(weight));
    provenance.put(
        "style_reference",
        latent != null
            ? "latent statistics (first 40% of steps) + palette mapping"
            : "palette mapping only (the model has no vae_encoder)");
    if (count > 1) {
      provenance.put("style_references", count + " (statistics averaged)");
    }
  }
}
