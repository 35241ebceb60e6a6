package dev.atelier.core.edit;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.Reference;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.StepProgress;
import dev.atelier.core.image.Box;
import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.FidelityReport;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.core.reference.StyleEmphasis;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Edits an image from a plain-words instruction so that nothing outside the edited region changes:
 * plan (3W1K), ground the target (or take the caller's mask), crop around the region, inpaint the
 * crop at the model's working size, scale back, and composite with the feathered mask. Pixels where
 * the mask is 0 are copied from the input, never re-encoded.
 *
 * <p>Global instructions (whole-image style or colour grade) run image-to-image on the whole image.
 * Thread-safe when the engine and grounder are.
 */
public final class LocalEditor {
  private final Engine engine;
  private final EditPlanner planner;
  private final Grounder grounder;

  /**
   * Creates the editor.
   *
   * @param grounder finds regions from phrases; {@link #NO_GROUNDER} when no grounding model is
   *     configured (then local edits need a mask)
   */
  public LocalEditor(Engine engine, EditPlanner planner, Grounder grounder) {
    this.engine = engine;
    this.planner = planner;
    this.grounder = grounder;
  }

  /** A grounder for servers without a grounding model: every lookup is a 400 asking for a mask. */
  public static final Grounder NO_GROUNDER =
      (image, query) -> {
        throw new AtelierException.InvalidRequest(
            "mask",
            "finding '"
                + query.phrase()
                + "' needs a grounding model (start the server with --grounding-model PATH, e.g."
                + " a CLIPSeg export) or a mask marking the region");
      };

  /**
   * How to edit.
   *
   * @param workingSide longer side the crop is scaled to before inpainting (the model's size),
   *     rounded to a multiple of 64
   * @param marginPx context kept around the region in the crop
   * @param globalStrength image-to-image strength of global edits
   * @param dilatePx region dilation for grounded targets
   * @param featherPx feather radius for grounded targets
   * @param threshold grounding probability threshold
   */
  public record Options(
      int workingSide,
      int marginPx,
      double globalStrength,
      int dilatePx,
      int featherPx,
      double threshold) {
    /** Defaults for Stable Diffusion 1.x (512 px). */
    public static final Options DEFAULT =
        new Options(
            512,
            32,
            0.6,
            GroundingQuery.DEFAULT_DILATE,
            GroundingQuery.DEFAULT_FEATHER,
            GroundingQuery.DEFAULT_THRESHOLD);

    /** Validates the values. */
    public Options {
      if (workingSide < 64 || workingSide % 8 != 0 || marginPx < 0) {
        throw new IllegalArgumentException(
            "workingSide must be a multiple of 8 >= 64 and marginPx >= 0 but were "
                + workingSide
                + " and "
                + marginPx);
      }
    }

    /** These options with another threshold. */
    public Options withThreshold(double t) {
      return new Options(workingSide, marginPx, globalStrength, dilatePx, featherPx, t);
    }
  }

  /**
   * The result of an edit or of a dry run.
   *
   * @param plan the 3W1K plan
   * @param region the feathered mask the edit used (all ones for global edits)
   * @param hardRegion the region "outside" is measured against
   * @param images the edited images (empty for a dry run), full size
   * @param reports one fidelity report per image
   * @param warnings the plan's warnings and the editor's
   */
  public record Outcome(
      EditPlan plan,
      Mask region,
      Mask hardRegion,
      List<GeneratedImage> images,
      List<FidelityReport> reports,
      List<String> warnings) {}

  /** Plans {@code instruction}; blank instructions are a 400. */
  public EditPlan plan(String instruction) {
    try {
      return planner.plan(instruction);
    } catch (IllegalArgumentException e) {
      throw new AtelierException.InvalidRequest("instruction", e.getMessage());
    }
  }

  /**
   * Plans and locates the region without generating anything (the user can accept or adjust the
   * mask and send it back).
   */
  public Outcome dryRun(RgbImage image, String instruction, Mask userMask, Options o) {
    EditPlan plan = forMask(plan(instruction), userMask);
    List<String> warnings = new ArrayList<>(plan.warnings());
    Mask[] region = region(image, plan, userMask, o, warnings);
    return new Outcome(plan, region[0], region[1], List.of(), List.of(), warnings);
  }

  /**
   * Edits {@code image} as {@code instruction} says.
   *
   * @param userMask the caller's region (1 = edit), or {@code null} to ground the plan's target
   * @throws AtelierException.InvalidRequest for an empty instruction, no recognisable target
   *     without a mask, a mask that selects nothing, or a target that grounds to nothing
   */
  public Outcome edit(
      RgbImage image, String instruction, Mask userMask, SamplingParams sampling, Options o) {
    return edit(
        image, instruction, userMask, sampling, o, ProgressListener.NONE, CancellationToken.none());
  }

  /**
   * Like {@link #edit(RgbImage, String, Mask, SamplingParams, Options)}, reporting the engine's
   * steps and stopping when {@code cancel} is cancelled.
   *
   * <p>A step's preview is the whole image: for a local edit the engine's preview of the crop is
   * scaled back and composited into the input with the feathered mask, so it shows the region
   * changing and the rest as it is.
   *
   * @throws AtelierException.Cancelled when cancelled
   */
  public Outcome edit(
      RgbImage image,
      String instruction,
      Mask userMask,
      SamplingParams sampling,
      Options o,
      ProgressListener progress,
      CancellationToken cancel) {
    return edit(image, instruction, userMask, sampling, o, List.of(), progress, cancel);
  }

  /**
   * Like {@link #edit(RgbImage, String, Mask, SamplingParams, Options, ProgressListener,
   * CancellationToken)} with reference images handed to the engine (a style reference also adds the
   * guide's emphasis to the prompt, {@link StyleEmphasis}).
   */
  public Outcome edit(
      RgbImage image,
      String instruction,
      Mask userMask,
      SamplingParams sampling,
      Options o,
      List<Reference> references,
      ProgressListener progress,
      CancellationToken cancel) {
    EditPlan plan = forMask(plan(instruction), userMask);
    List<String> warnings = new ArrayList<>(plan.warnings());
    if (plan.scope() == EditPlan.Scope.GLOBAL && userMask == null) {
      return global(image, instruction, plan, sampling, o, references, warnings, progress, cancel);
    }
    Mask[] region = region(image, plan, userMask, o, warnings);
    Mask feathered = region[0];
    Box box = Box.around(feathered, o.marginPx(), image.width(), image.height(), 8);
    int[] work = workingSize(box, o.workingSide());
    // Scaled straight from the box: a cropped copy of a full-resolution region would be one more
    // image-sized array per request.
    RgbImage scaled = Compositor.resizeBicubic(image, box, work[0], work[1]);
    Mask cropMask = feathered.cropResizedNearest(box, work[0], work[1]).binarized(0.001f);
    SamplingParams s = sampling;
    String negative = InpaintPrompt.negative(plan);
    if (!negative.isEmpty()) {
      String n = s.negativePrompt().isEmpty() ? negative : s.negativePrompt() + ", " + negative;
      s = s.toBuilder().negativePrompt(n).build();
    }
    List<GeneratedImage> raw =
        engine.edit(
            new EditRequest(
                StyleEmphasis.apply(InpaintPrompt.positive(plan, instruction), references),
                scaled,
                new EditMode.Inpaint(cropMask),
                s,
                references),
            inPlace(progress, image, box, feathered),
            cancel);
    List<GeneratedImage> images = new ArrayList<>();
    List<FidelityReport> reports = new ArrayList<>();
    for (GeneratedImage g : raw) {
      // The box holds every pixel the feathered mask marks, so blending inside it is the whole
      // composite; outside it the input's bytes are copied as they are.
      RgbImage back = Compositor.resizeBicubic(g.image(), box.width(), box.height());
      RgbImage out = Compositor.compositeInBox(image, back, box, feathered);
      Map<String, String> p = new LinkedHashMap<>(g.parameters());
      p.put("instruction", instruction);
      p.put("operation", plan.operation().wireName());
      p.put("target", plan.target().en());
      p.put("region_box", box.x() + "," + box.y() + "," + box.width() + "x" + box.height());
      images.add(new GeneratedImage(out, g.seed(), p));
      reports.add(FidelityReport.compare(image, out, feathered));
    }
    return new Outcome(plan, feathered, region[1], images, reports, warnings);
  }

  private Outcome global(
      RgbImage image,
      String instruction,
      EditPlan plan,
      SamplingParams sampling,
      Options o,
      List<Reference> references,
      List<String> warnings,
      ProgressListener progress,
      CancellationToken cancel) {
    List<GeneratedImage> raw =
        engine.edit(
            new EditRequest(
                StyleEmphasis.apply(instruction, references),
                image,
                new EditMode.ImageToImage(o.globalStrength()),
                sampling,
                references),
            progress,
            cancel);
    float[] ones = new float[image.width() * image.height()];
    java.util.Arrays.fill(ones, 1f);
    Mask all = new Mask(image.width(), image.height(), ones);
    List<GeneratedImage> images = new ArrayList<>();
    List<FidelityReport> reports = new ArrayList<>();
    for (GeneratedImage g : raw) {
      Map<String, String> p = new LinkedHashMap<>(g.parameters());
      p.put("instruction", instruction);
      p.put("operation", plan.operation().wireName());
      p.put("scope", "global");
      images.add(new GeneratedImage(g.image(), g.seed(), p));
      reports.add(FidelityReport.compare(image, g.image(), all));
    }
    return new Outcome(plan, all, all, images, reports, warnings);
  }

  /**
   * Passes steps on with previews of the whole image: the crop's preview scaled to the region's box
   * and composited into {@code image}, computed only when the listener asks for it.
   */
  private static ProgressListener inPlace(
      ProgressListener progress, RgbImage image, Box box, Mask feathered) {
    if (progress == ProgressListener.NONE) {
      return progress;
    }
    return new ProgressListener() {
      @Override
      public void onStep(StepProgress p) {
        progress.onStep(
            new StepProgress(
                p.step(),
                p.totalSteps(),
                () ->
                    p.preview()
                        .map(
                            crop -> {
                              RgbImage back =
                                  Compositor.resizeBicubic(crop, box.width(), box.height());
                              return Compositor.compositeInBox(image, back, box, feathered);
                            })));
      }

      @Override
      public int partialImages() {
        return progress.partialImages();
      }
    };
  }

  /**
   * {@code plan} without the "no target recognised" warning when the caller sent a mask: the mask
   * is the region, so a prompt that only describes the result ("a sofa") is complete.
   */
  static EditPlan forMask(EditPlan plan, Mask userMask) {
    if (userMask == null || !plan.warnings().contains(Lint.NO_TARGET)) {
      return plan;
    }
    return new EditPlan(
        plan.operation(),
        plan.scope(),
        plan.target(),
        plan.attribute(),
        plan.from(),
        plan.to(),
        plan.keep(),
        plan.keepEverythingElse(),
        plan.strict(),
        plan.warnings().stream().filter(w -> !w.equals(Lint.NO_TARGET)).toList());
  }

  /**
   * {feathered, hard} for the plan: the caller's mask, or the grounded target (whose notes are
   * added to {@code warnings}).
   */
  private Mask[] region(
      RgbImage image, EditPlan plan, Mask userMask, Options o, List<String> warnings) {
    if (userMask != null) {
      if (userMask.width() != image.width() || userMask.height() != image.height()) {
        throw new AtelierException.InvalidRequest(
            "mask",
            "mask must have the image's size "
                + image.width()
                + "x"
                + image.height()
                + " but is "
                + userMask.width()
                + "x"
                + userMask.height());
      }
      if (userMask.isEmpty()) {
        throw new AtelierException.InvalidRequest(
            "mask",
            "mask selects nothing: mark the region to edit (transparent, or white with mask_mode=white)");
      }
      return new Mask[] {userMask, userMask.binarized(0.001f)};
    }
    if (plan.target().en().isBlank()) {
      throw new AtelierException.InvalidRequest(
          "instruction",
          "no target recognised in the instruction: name the object to change (e.g. \"the sofa\","
              + " \"左侧第二个花瓶\") or send a mask");
    }
    String side =
        plan.target().side() == EditPlan.Side.NONE
            ? ""
            : plan.target().side().name().toLowerCase(Locale.ROOT);
    GroundingQuery q =
        new GroundingQuery(
            plan.target().en(),
            plan.keep(),
            side,
            plan.target().ordinal(),
            o.dilatePx(),
            o.featherPx(),
            o.threshold());
    if (plan.operation() == EditPlan.Operation.ADD && !side.isEmpty()) {
      // "add a mug on the right of the desk": ground the whole place, then keep the named part.
      GroundingQuery place =
          new GroundingQuery(
              q.phrase(), q.keep(), "", 0, q.dilatePx(), q.featherPx(), q.threshold());
      Region r = grounder.locate(image, place);
      warnings.addAll(r.notes());
      Box b = r.box();
      return new Mask[] {part(r.feathered(), b, side), part(r.hard(), b, side)};
    }
    Region r = grounder.locate(image, q);
    warnings.addAll(r.notes());
    return new Mask[] {r.feathered(), r.hard()};
  }

  /** The half of {@code m} inside {@code box} on {@code side} (the centre third for center). */
  static Mask part(Mask m, Box box, String side) {
    int x0 = box.x();
    int x1 = box.x() + box.width();
    int y0 = box.y();
    int y1 = box.y() + box.height();
    switch (side) {
      case "left" -> x1 = box.x() + box.width() / 2;
      case "right" -> x0 = box.x() + box.width() / 2;
      case "top" -> y1 = box.y() + box.height() / 2;
      case "bottom" -> y0 = box.y() + box.height() / 2;
      default -> {
        x0 = box.x() + box.width() / 3;
        x1 = box.x() + 2 * box.width() / 3;
        y0 = box.y() + box.height() / 3;
        y1 = box.y() + 2 * box.height() / 3;
      }
    }
    float[] v = new float[m.values().length];
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        v[y * m.width() + x] = m.values()[y * m.width() + x];
      }
    }
    return new Mask(m.width(), m.height(), v);
  }

  /**
   * The granularity of the crop's working size in pixels. Stable Diffusion's UNet halves the
   * latents (an eighth of the pixels) three times and joins each up-block to its skip connection,
   * and an exported graph has no resize for odd sides: a latent side must be a multiple of 8, a
   * pixel side a multiple of 64. A crop worked at 512x488 (61 latent rows) fails inside SD 1.5's
   * UNet.
   */
  static final int SIDE_MULTIPLE = 64;

  /**
   * The crop scaled so its longer side is about {@code side}, both sides rounded to multiples of
   * {@link #SIDE_MULTIPLE} (the aspect ratio may change by up to half of it; the result is scaled
   * back to the box).
   */
  static int[] workingSize(Box box, int side) {
    double scale = (double) side / Math.max(box.width(), box.height());
    return new int[] {roundToMultiple(box.width() * scale), roundToMultiple(box.height() * scale)};
  }

  private static int roundToMultiple(double px) {
    return Math.max(SIDE_MULTIPLE, (int) Math.round(px / SIDE_MULTIPLE) * SIDE_MULTIPLE);
  }
}
