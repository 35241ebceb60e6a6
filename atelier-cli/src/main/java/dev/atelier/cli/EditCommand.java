package dev.atelier.cli;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.NoiseMode;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.image.Box;
import dev.atelier.core.image.Compositor;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import dev.atelier.engine.onnx.OnnxEngine;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier edit IMAGE PROMPT}: inpainting, image-to-image or instruction editing. */
@Command(
    name = "edit",
    mixinStandardHelpOptions = true,
    description = {
      "Edit an image with a local Stable Diffusion ONNX model.",
      "  --mask MASK     inpaint: repaint the masked region (white or transparent = repaint)",
      "  --strength S    image-to-image: re-noise the whole image to S (0..1] and denoise",
      "  --instruct      InstructPix2Pix: PROMPT is an instruction (needs an 8-channel model)",
      "  --grounding-model PATH   find the region PROMPT names (no mask) and edit only there;",
      "                           with --mask or a grounding model, pixels outside the region are",
      "                           copied from IMAGE unchanged",
      "Without --mask, a grounding model or --instruct, image-to-image runs with strength 0.75."
    })
final class EditCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image to edit (PNG, JPEG).")
  Path image;

  @Parameters(index = "1", paramLabel = "PROMPT", description = "What the result should show.")
  String prompt;

  @Option(names = "--mask", paramLabel = "MASK", description = "Region to repaint.")
  Path mask;

  @Option(
      names = "--mask-mode",
      paramLabel = "MODE",
      description =
          "How to read MASK: alpha (transparent = repaint, as OpenAI), white (white = repaint),"
              + " or auto (alpha when the mask has transparency). Default: ${DEFAULT-VALUE}.",
      defaultValue = "auto")
  String maskMode;

  @Option(names = "--strength", paramLabel = "S", description = "Image-to-image strength (0..1].")
  Double strength;

  @Option(names = "--instruct", description = "Treat PROMPT as an instruction (InstructPix2Pix).")
  boolean instruct;

  @Option(
      names = "--image-guidance",
      paramLabel = "SCALE",
      description = "InstructPix2Pix image guidance. Default: ${DEFAULT-VALUE}.",
      defaultValue = "1.5")
  double imageGuidance;

  @Mixin OutputOptions output;

  @Option(
      names = "--grounding-model",
      paramLabel = "PATH",
      description =
          "CLIPSeg folder: find the region PROMPT names (\"change the sofa to green\") and edit only"
              + " there. Default: $ATELIER_GROUNDING_MODEL.")
  Path groundingModel;

  @Option(
      names = "--dry-run",
      description =
          "Plan and locate the region only: print the plan, write the mask, generate nothing.")
  boolean dryRun;

  @Option(
      names = "--grounding-threshold",
      paramLabel = "P",
      description = "Probability above which a pixel belongs to the target. Default: 0.4.")
  double groundingThreshold = LocalEditor.Options.DEFAULT.threshold();

  @Mixin ModelOptions modelOptions;
  @Mixin SamplingOptions samplingOptions;

  @Override
  public Integer call() throws Exception {
    SamplingParams sampling = samplingOptions.params();
    if (instruct && mask != null) {
      throw new ParameterException(
          spec.commandLine(), "--instruct and --mask cannot be combined; choose one edit mode");
    }
    if (strength != null && (mask != null || instruct)) {
      throw new ParameterException(
          spec.commandLine(),
          "--strength applies to image-to-image only, not with --mask or --instruct");
    }
    RgbImage original = ImageFiles.read(image, "IMAGE");
    RgbImage input = fitToMultipleOf8(original);
    boolean explicit = strength != null || instruct;
    GroundingOption grounding = GroundingOption.load(groundingModel, modelOptions.settings());
    boolean local = !explicit && (mask != null || grounding.owned() != null);
    if (dryRun && !local) {
      grounding.close();
      throw new ParameterException(
          spec.commandLine(),
          "--dry-run needs a plain-words edit: --mask or --grounding-model, without --strength or"
              + " --instruct");
    }
    if (local) {
      try (grounding) {
        return localEdit(
            input, mask == null ? null : readMask(original, input), grounding, sampling);
      }
    }
    grounding.close();
    if (mask == null && !explicit) {
      System.err.println(
          "note: no --mask and no --grounding-model: the whole image is re-rendered"
              + " (image-to-image, strength 0.75)");
    }
    EditMode mode;
    try {
      if (mask != null) {
        mode = new EditMode.Inpaint(readMask(original, input));
      } else if (instruct) {
        mode = new EditMode.Instruct(imageGuidance);
      } else {
        mode = new EditMode.ImageToImage(strength == null ? 0.75 : strength);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      new EditRequest(prompt, input, mode, sampling); // checked before the model loads
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (OnnxEngine engine = modelOptions.load()) {
      sampling = samplingOptions.forModel(sampling, engine.model().traits());
      EditRequest request = new EditRequest(prompt, input, mode, sampling);
      ProgressBar bar = output.progressBar("editing");
      List<GeneratedImage> images =
          engine.edit(request, bar == null ? p -> {} : bar, CancellationToken.none());
      ImageFiles.writeAll(
          images, output.out, sampling.noiseMode() == NoiseMode.BATCH, spec.commandLine().getOut());
    }
    return 0;
  }

  private int localEdit(
      RgbImage input, Mask userMask, GroundingOption grounding, SamplingParams sampling)
      throws java.io.IOException {
    java.io.PrintWriter stdout = spec.commandLine().getOut();
    try (OnnxEngine engine = modelOptions.load()) {
      sampling = samplingOptions.forModel(sampling, engine.model().traits());
      int side = engine.model().defaultImageSide();
      LocalEditor.Options d = LocalEditor.Options.DEFAULT;
      LocalEditor.Options options =
          new LocalEditor.Options(
              Math.max(64, side),
              d.marginPx(),
              d.globalStrength(),
              d.dilatePx(),
              d.featherPx(),
              groundingThreshold);
      LocalEditor editor = new LocalEditor(engine, new EditPlanner(), grounding.grounder());
      if (dryRun) {
        LocalEditor.Outcome o = editor.dryRun(input, prompt, userMask, options);
        stdout.println(o.plan().toJson());
        Path file = output.out.resolve("atelier-mask.png");
        java.nio.file.Files.createDirectories(output.out);
        java.nio.file.Files.write(file, ImageCodec.encodeMaskPng(o.region(), java.util.Map.of()));
        stdout.println(file + "  mask (white = edit)");
        stdout.flush();
        return 0;
      }
      LocalEditor.Outcome o = editor.edit(input, prompt, userMask, sampling, options);
      for (String w : o.warnings()) {
        System.err.println("warning: " + w);
      }
      ImageFiles.writeAll(o.images(), output.out, sampling.noiseMode() == NoiseMode.BATCH, stdout);
      for (var report : o.reports()) {
        stdout.println("fidelity " + report.toJson());
      }
      stdout.flush();
      return 0;
    }
  }

  private Mask readMask(RgbImage original, RgbImage input) {
    BufferedImage raw = ImageFiles.readRaw(mask, "MASK");
    String m = maskMode.toLowerCase(Locale.ROOT);
    Mask result =
        switch (m) {
          case "alpha" -> Mask.fromAlpha(raw);
          case "white" -> Mask.fromGray(raw);
          case "auto" -> raw.getColorModel().hasAlpha() ? Mask.fromAlpha(raw) : Mask.fromGray(raw);
          default ->
              throw new ParameterException(
                  spec.commandLine(),
                  "--mask-mode must be auto, alpha or white but was '" + maskMode + "'");
        };
    if (result.width() == original.width() && result.height() == original.height()) {
      // Crop exactly like the image, so mask and image stay aligned pixel for pixel.
      return result.crop(new Box(0, 0, input.width(), input.height()));
    }
    return result.resizedNearest(input.width(), input.height());
  }

  /** Crops to the largest multiple of 8 on each side (the VAE needs it); says so when it does. */
  private RgbImage fitToMultipleOf8(RgbImage in) {
    int w = in.width() / 8 * 8;
    int h = in.height() / 8 * 8;
    if (w == in.width() && h == in.height()) {
      return in;
    }
    if (w == 0 || h == 0) {
      throw new ParameterException(
          spec.commandLine(),
          "IMAGE must be at least 8x8 pixels but is " + in.width() + "x" + in.height());
    }
    System.err.printf(
        "note: cropping IMAGE from %dx%d to %dx%d (sides must be multiples of 8)%n",
        in.width(), in.height(), w, h);
    return Compositor.crop(in, new Box(0, 0, w, h));
  }
}
