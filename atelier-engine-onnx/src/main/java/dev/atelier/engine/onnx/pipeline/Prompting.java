package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.NoiseMode;
import java.util.Objects;

/**
 * The text side and the batch settings of a pipeline run.
 *
 * @param prompt the prompt (an instruction for InstructPix2Pix)
 * @param negativePrompt the negative prompt; "" encodes the empty string, as diffusers does
 * @param n images in the batch
 * @param steps inference steps (before image-to-image's strength cut)
 * @param guidanceScale classifier-free guidance; <= 1 runs the conditional branch only
 * @param noiseMode how encoder samples are drawn for a batch (see {@link NoiseMode})
 */
public record Prompting(
    String prompt,
    String negativePrompt,
    int n,
    int steps,
    double guidanceScale,
    NoiseMode noiseMode) {

  /** Validates the values. */
  public Prompting {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(negativePrompt, "negativePrompt");
    Objects.requireNonNull(noiseMode, "noiseMode");
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1 but was " + n);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1 but was " + steps);
    }
  }
}
