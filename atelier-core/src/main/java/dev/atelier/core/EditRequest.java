package dev.atelier.core;

import dev.atelier.core.image.RgbImage;
import java.util.List;
import java.util.Objects;

/**
 * An edit of {@code image} guided by {@code prompt}; outputs have the input image's size.
 *
 * @param image the image to edit; both sides multiples of 8
 * @param prompt what the result should show (or, for {@link EditMode.Instruct}, the instruction)
 * @param mode image-to-image, inpainting or instruction editing
 * @param sampling sampling settings
 * @param references reference images (style, subject, ...), at most {@link
 *     Reference#MAX_REFERENCES}; engines that cannot use them refuse the request
 */
public record EditRequest(
    String prompt,
    RgbImage image,
    EditMode mode,
    SamplingParams sampling,
    List<Reference> references) {

  /** An edit without references. */
  public EditRequest(String prompt, RgbImage image, EditMode mode, SamplingParams sampling) {
    this(prompt, image, mode, sampling, List.of());
  }

  /** Validates the prompt, the image size and the references. */
  public EditRequest {
    references = Reference.checkAll(references);
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(sampling, "sampling");
    GenerationRequest.checkPrompt(prompt);
    if (image.width() % 8 != 0 || image.height() % 8 != 0) {
      throw new IllegalArgumentException(
          "image sides must be multiples of 8 but the image is "
              + image.width()
              + "x"
              + image.height());
    }
    if (mode instanceof EditMode.Inpaint(var mask)
        && (mask.width() != image.width() || mask.height() != image.height())) {
      throw new IllegalArgumentException(
          "mask must have the image's size "
              + image.width()
              + "x"
              + image.height()
              + " but is "
              + mask.width()
              + "x"
              + mask.height());
    }
  }

  /** The output size (the input image's). */
  public ImageSize size() {
    return new ImageSize(image.width(), image.height());
  }
}
