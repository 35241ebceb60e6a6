package dev.atelier.core;

import java.util.List;

/**
 * Produces images: the one interface every engine (local ONNX, upstream OpenAI) implements.
 *
 * <p>Implementations are thread-safe: one engine instance serves concurrent requests. Calls block
 * until the images are done, report each denoising step to the listener, and stop with {@link
 * AtelierException.Cancelled} soon after the token is cancelled.
 */
public interface Engine extends AutoCloseable {

  /** A short name for provenance and logs ({@code local}, {@code openai}). */
  String name();

  /**
   * Text-to-image.
   *
   * @return {@code request.sampling().n()} images, in order
   * @throws AtelierException.InvalidRequest when the request does not fit the model (e.g. size)
   * @throws AtelierException.Cancelled when cancelled
   */
  List<GeneratedImage> generate(
      GenerationRequest request, ProgressListener progress, CancellationToken cancel);

  /**
   * Edits an image (image-to-image, inpainting or instruction editing).
   *
   * @return {@code request.sampling().n()} images, in order
   * @throws AtelierException.InvalidRequest when the model cannot do the requested edit
   * @throws AtelierException.Cancelled when cancelled
   */
  List<GeneratedImage> edit(
      EditRequest request, ProgressListener progress, CancellationToken cancel);

  /**
   * Whether a seed determines the image, so that drawing again with another seed is a free,
   * reproducible way to get another image. False for an upstream that ignores seeds and bills every
   * call.
   */
  default boolean seedsReproduce() {
    return true;
  }

  /**
   * How many text tokens the model's own tokenizer makes of {@code prompt}, untruncated and without
   * start/end tokens: the text part of the {@code usage} an OpenAI-shaped response reports. Empty
   * when the engine cannot count them (an upstream reports its own usage instead).
   */
  default java.util.OptionalInt promptTokens(String prompt) {
    return java.util.OptionalInt.empty();
  }

  /** Releases native resources; the engine is unusable afterwards. */
  @Override
  void close();
}
