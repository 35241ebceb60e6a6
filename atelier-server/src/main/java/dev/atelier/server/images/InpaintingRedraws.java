package dev.atelier.server.images;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The engine a text-to-image model's local editor redraws with when an inpainting model is served:
 * masked edits go to the inpainting model, everything else (a whole-image restyle is
 * image-to-image) to the text-to-image model, since a 9-channel inpainting UNet only inpaints.
 *
 * <p>Owns neither engine: the model set does.
 */
final class InpaintingRedraws implements Engine {
  private final Engine textToImage;
  private final Engine inpainting;

  InpaintingRedraws(Engine textToImage, Engine inpainting) {
    this.textToImage = Objects.requireNonNull(textToImage, "textToImage");
    this.inpainting = Objects.requireNonNull(inpainting, "inpainting");
  }

  @Override
  public String name() {
    return textToImage.name();
  }

  @Override
  public List<GeneratedImage> generate(
      GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
    return textToImage.generate(request, progress, cancel);
  }

  @Override
  public List<GeneratedImage> edit(
      EditRequest request, ProgressListener progress, CancellationToken cancel) {
    Engine engine = request.mode() instanceof EditMode.Inpaint ? inpainting : textToImage;
    return engine.edit(request, progress, cancel);
  }

  @Override
  public OptionalInt promptTokens(String prompt) {
    return textToImage.promptTokens(prompt);
  }

  @Override
  public boolean seedsReproduce() {
    return textToImage.seedsReproduce();
  }

  /** The model set closes both engines. */
  @Override
  public void close() {}
}
