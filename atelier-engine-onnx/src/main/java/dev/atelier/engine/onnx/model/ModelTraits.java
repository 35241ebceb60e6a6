package dev.atelier.engine.onnx.model;

import dev.atelier.core.json.JsonValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * What a model folder is, read from its configs without opening a graph: whether it is SDXL, the
 * side it was trained at, what every side must be a multiple of, and whether it is a few-step model
 * (SD-Turbo, SDXL-Turbo, SDXS) that wants guidance 0 and 1 to 4 steps.
 *
 * <p>The server and the CLI read these before a model loads, to pick sizes and defaults per model
 * and to route masked edits to an inpainting model of the same family.
 *
 * @param sdxl whether the folder has {@code text_encoder_2/model.onnx} (SDXL's second tower)
 * @param nativeSide {@code unet sample_size * vae scale factor}, e.g. 512 for SD 1.5, 1024 for SDXL
 * @param sizeMultiple what every image side must be a multiple of ({@link
 *     StableDiffusionModel#sizeMultiple()})
 * @param fewStep whether the scheduler config is an Euler or Euler ancestral scheduler with {@code
 *     timestep_spacing} {@code trailing}, as the distilled one-step families ship theirs
 */
public record ModelTraits(boolean sdxl, int nativeSide, int sizeMultiple, boolean fewStep) {
  /** The scheduler classes of the few-step families' configs (with trailing spacing). */
  static final Set<String> FEW_STEP_SCHEDULERS =
      Set.of("EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler");

  /** Validates the values. */
  public ModelTraits {
    if (nativeSide < 8 || sizeMultiple < 1) {
      throw new IllegalArgumentException(
          "native side must be >= 8 and size multiple >= 1 but were "
              + nativeSide
              + " and "
              + sizeMultiple);
    }
  }

  /**
   * Reads the folder at {@code path}.
   *
   * @throws dev.atelier.core.AtelierException.ModelUnavailable when the folder or its VAE config is
   *     missing
   */
  public static ModelTraits of(Path path) {
    ModelFolder folder = ModelFolder.of(path);
    boolean sdxl =
        folder
            .component("text_encoder_2")
            .map(d -> Files.isRegularFile(d.resolve("model.onnx")))
            .orElse(false);
    JsonValue.Obj scheduler =
        folder
            .json("scheduler", "scheduler_config.json")
            .orElse(new JsonValue.Obj(java.util.Map.of()));
    return new ModelTraits(
        sdxl,
        StableDiffusionModel.defaultImageSide(path),
        StableDiffusionModel.sizeMultiple(path),
        fewStep(scheduler.string("_class_name", ""), scheduler.string("timestep_spacing", "")));
  }

  /** Whether a scheduler config of class {@code cls} and that spacing marks a few-step model. */
  static boolean fewStep(String cls, String spacing) {
    return FEW_STEP_SCHEDULERS.contains(cls) && spacing.equals("trailing");
  }
}
