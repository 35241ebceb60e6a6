package dev.atelier.engine.openai;

import dev.atelier.core.image.RgbImage;
import java.util.List;
import java.util.Objects;

/**
 * Extra input images for the upstream (style or character references) and how closely it should
 * follow them.
 *
 * <p>OpenAI's edits endpoint takes several images; the generations endpoint takes none. With
 * references, {@link OpenAiEngine#generate(dev.atelier.core.GenerationRequest, UpstreamReferences,
 * dev.atelier.core.ProgressListener, dev.atelier.core.CancellationToken)} therefore calls the edits
 * endpoint with the references as its images, and {@link
 * OpenAiEngine#edit(dev.atelier.core.EditRequest, UpstreamReferences,
 * dev.atelier.core.ProgressListener, dev.atelier.core.CancellationToken)} sends them after the
 * image to edit. They are uploaded as PNG.
 *
 * @param images the reference images, in the order the prompt refers to them; at most {@link
 *     #MAX_IMAGES}
 * @param inputFidelity OpenAI's {@code input_fidelity}: {@code "high"} keeps faces, logos and
 *     details of the inputs more faithfully (and costs more input tokens), {@code "low"} is the
 *     upstream's default; {@code ""} sends nothing
 */
public record UpstreamReferences(List<RgbImage> images, String inputFidelity) {

  /** OpenAI accepts up to 16 images per edit; one place is kept for the image to edit. */
  public static final int MAX_IMAGES = 15;

  private static final UpstreamReferences NONE = new UpstreamReferences(List.of(), "");

  /**
   * Validates the images and the fidelity word.
   *
   * @throws IllegalArgumentException when there are more than {@link #MAX_IMAGES} images or the
   *     fidelity is not {@code ""}, {@code low} or {@code high}
   */
  public UpstreamReferences {
    images = List.copyOf(images);
    Objects.requireNonNull(inputFidelity, "inputFidelity");
    if (images.size() > MAX_IMAGES) {
      throw new IllegalArgumentException(
          "references must be at most " + MAX_IMAGES + " images but were " + images.size());
    }
    if (!List.of("", "low", "high").contains(inputFidelity)) {
      throw new IllegalArgumentException(
          "input_fidelity must be low or high but was '" + inputFidelity + "'");
    }
  }

  /**
   * No references and no {@code input_fidelity}: the plain {@link dev.atelier.core.Engine} call.
   */
  public static UpstreamReferences none() {
    return NONE;
  }

  /** These reference images with the upstream's default fidelity. */
  public static UpstreamReferences of(List<RgbImage> images) {
    return new UpstreamReferences(images, "");
  }

  /** The same images with {@code input_fidelity} set ({@code ""}, {@code low} or {@code high}). */
  public UpstreamReferences withInputFidelity(String fidelity) {
    return new UpstreamReferences(images, fidelity);
  }
}
