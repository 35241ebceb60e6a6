package dev.atelier.core;

import dev.atelier.core.image.Mask;
import java.util.Objects;

/** How an edit uses its input image. */
public sealed interface EditMode {

  /**
   * Image-to-image: noise the whole image to {@code strength} and denoise it toward the prompt.
   *
   * @param strength 0 < strength <= 1; the fraction of the schedule that is run
   */
  record ImageToImage(double strength) implements EditMode {
    /** Validates the strength. */
    public ImageToImage {
      if (!(strength > 0 && strength <= 1)) {
        throw new IllegalArgumentException("strength must be in (0, 1] but was " + strength);
      }
    }
  }

  /**
   * Inpainting: repaint where {@code mask} is 1, keep the rest.
   *
   * @param mask the region to repaint, at the image's size (1 = repaint)
   */
  record Inpaint(Mask mask) implements EditMode {
    /** Validates the mask. */
    public Inpaint {
      Objects.requireNonNull(mask, "mask");
    }
  }

  /**
   * InstructPix2Pix: the prompt is an instruction ("make it a watercolor painting").
   *
   * @param imageGuidanceScale how strongly to stay close to the input image (diffusers'
   *     image_guidance_scale, typically 1.5)
   */
  record Instruct(double imageGuidanceScale) implements EditMode {
    /** Validates the image guidance. */
    public Instruct {
      if (!(imageGuidanceScale >= 0 && imageGuidanceScale <= 20)) {
        throw new IllegalArgumentException(
            "image guidance must be 0..20 but was " + imageGuidanceScale);
      }
    }
  }
}
