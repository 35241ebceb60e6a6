package dev.atelier.cli;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditMode;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import dev.atelier.engine.onnx.OnnxEngine;
import java.util.List;

/**
 * The engine of {@code serve --demo}: a text-to-image model with an inpainting model beside it.
 * Masked edits (plain-words local edits included) go to the inpainting model, everything else to
 * the text-to-image model.
 *
 * <p>A 9-channel inpainting UNet cannot generate from a prompt alone, and a plain UNet only
 * inpaints by latent blending, so the demo serves one of each. Owns and closes both.
 */
final class DemoEngine implements Engine {
  private final OnnxEngine textToImage;
  private final OnnxEngine inpainting;

  DemoEngine(OnnxEngine textToImage, OnnxEngine inpainting) {
    this.textToImage = textToImage;
    this.inpainting = inpainting;
  }

  /** The text-to-image engine, whose model sets the native size. */
  OnnxEngine textToImage() {
    return textToImage;
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

  /** Both models share SD 1.5's CLIP tokenizer; the text-to-image model's counts. */
  @Override
  public java.util.OptionalInt promptTokens(String prompt) {
    return textToImage.promptTokens(prompt);
  }

  @Override
  public boolean seedsReproduce() {
    return textToImage.seedsReproduce() && inpainting.seedsReproduce();
  }

  @Override
  public void close() {
    try {
      inpainting.close();
    } finally {
      textToImage.close();
    }
  }
}
