package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.NoiseMode;
import java.util.List;
import java.util.Objects;

/**
 * The text side and the batch settings of a pipeline run.
 *
 * @param prompt the prompt (an instruction for InstructPix2Pix); every image's when {@code
 *     perImage} is empty
 * @param negativePrompt the negative prompt; "" encodes the empty string, as diffusers does
 * @param n images in the batch
 * @param steps inference steps (before image-to-image's strength cut)
 * @param guidanceScale classifier-free guidance; <= 1 runs the conditional branch only
 * @param noiseMode how encoder samples are drawn for a batch (see {@link NoiseMode})
 * @param perImage one prompt per image (exactly {@code n}), or empty for {@code prompt} on all
 * @param prompt2 SDXL's {@code prompt_2}, what its second text tower reads; "" for each image's own
 *     prompt (diffusers' default)
 */
public record Prompting(
    String prompt,
    String negativePrompt,
    int n,
    int steps,
    double guidanceScale,
    NoiseMode noiseMode,
    List<String> perImage,
    String prompt2) {

  /** Validates the values. */
  public Prompting {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(prompt2, "prompt2");
    Objects.requireNonNull(negativePrompt, "negativePrompt");
    Objects.requireNonNull(noiseMode, "noiseMode");
    perImage = List.copyOf(perImage);
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1 but was " + n);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1 but was " + steps);
    }
    if (!perImage.isEmpty() && perImage.size() != n) {
      throw new IllegalArgumentException(
          "perImage must hold one prompt per image (" + n + ") but holds " + perImage.size());
    }
  }

  /** One prompt for every image. */
  public Prompting(
      String prompt,
      String negativePrompt,
      int n,
      int steps,
      double guidanceScale,
      NoiseMode noiseMode) {
    this(prompt, negativePrompt, n, steps, guidanceScale, noiseMode, List.of(), "");
  }

  /** One prompt per image ({@code perImage}, exactly {@code n}, or empty for {@code prompt}). */
  public Prompting(
      String prompt,
      String negativePrompt,
      int n,
      int steps,
      double guidanceScale,
      NoiseMode noiseMode,
      List<String> perImage) {
    this(prompt, negativePrompt, n, steps, guidanceScale, noiseMode, perImage, "");
  }

  /** These settings with SDXL's {@code prompt_2} (see {@link #prompt2()}). */
  public Prompting withPrompt2(String second) {
    return new Prompting(
        prompt, negativePrompt, n, steps, guidanceScale, noiseMode, perImage, second);
  }

  /** What SDXL's second tower reads for image {@code i}: {@link #prompt2()}, else its prompt. */
  public String prompt2Of(int i) {
    return prompt2.isEmpty() ? promptOf(i) : prompt2;
  }

  /** The prompt of image {@code i}: its own from {@link #perImage()}, else {@link #prompt()}. */
  public String promptOf(int i) {
    return perImage.isEmpty() ? prompt : perImage.get(i);
  }
}
