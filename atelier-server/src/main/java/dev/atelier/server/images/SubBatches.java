package dev.atelier.server.images;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.Consistency;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ImageSize;
import dev.atelier.core.NoiseMode;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * An engine that runs a request for {@code n} images as calls of at most {@link
 * #MAX_PIXELS_PER_CALL} pixels each, so that {@code n} up to 10 stays bounded in memory on every
 * path (generations, edits, plain-words local edits, variations, session rounds).
 *
 * <p>It splits only where the images are the same image for image: per-image noise (image {@code i}
 * always draws from seed {@code seed + i}, so the call for images {@code k..} starts at seed {@code
 * seed + k}) on an engine whose seeds reproduce, in a variations batch. Batch noise and coherent
 * sets draw every image from one generator, and an upstream engine bills per call, so those run as
 * one call.
 */
final class SubBatches implements Engine {
  /** Pixels one engine call may hold: four 512x512 images. */
  static final long MAX_PIXELS_PER_CALL = 4L * 512 * 512;

  private final Engine engine;

  SubBatches(Engine engine) {
    this.engine = engine;
  }

  /** How many images of {@code size} one call may hold (at least one). */
  static int perCall(ImageSize size) {
    return (int) Math.max(1, MAX_PIXELS_PER_CALL / ((long) size.width() * size.height()));
  }

  private boolean splits(SamplingParams s, ImageSize size) {
    return s.n() > perCall(size)
        && engine.seedsReproduce()
        && s.noiseMode() == NoiseMode.PER_IMAGE
        && s.consistency() == Consistency.VARIATIONS;
  }

  @Override
  public String name() {
    return engine.name();
  }

  @Override
  public List<GeneratedImage> generate(
      GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
    SamplingParams s = request.sampling();
    if (!splits(s, request.size())) {
      return engine.generate(request, progress, cancel);
    }
    List<GeneratedImage> made = new ArrayList<>();
    int step = perCall(request.size());
    for (int first = 0; first < s.n(); first += step) {
      int count = Math.min(step, s.n() - first);
      List<String> prompts =
          request.prompts().isEmpty() ? List.of() : request.prompts().subList(first, first + count);
      made.addAll(
          engine.generate(
              new GenerationRequest(
                  request.prompt(),
                  request.size(),
                  part(s, first, count),
                  request.references(),
                  prompts),
              progress,
              cancel));
      progress.onImagesDone(made.size());
    }
    return made;
  }

  @Override
  public List<GeneratedImage> edit(
      EditRequest request, ProgressListener progress, CancellationToken cancel) {
    SamplingParams s = request.sampling();
    if (!splits(s, request.size())) {
      return engine.edit(request, progress, cancel);
    }
    List<GeneratedImage> made = new ArrayList<>();
    int step = perCall(request.size());
    for (int first = 0; first < s.n(); first += step) {
      int count = Math.min(step, s.n() - first);
      made.addAll(
          engine.edit(
              new EditRequest(
                  request.prompt(),
                  request.image(),
                  request.mode(),
                  part(s, first, count),
                  request.references()),
              progress,
              cancel));
      progress.onImagesDone(made.size());
    }
    return made;
  }

  /** Images {@code first..first+count-1} of {@code s}: their seeds, in order. */
  private static SamplingParams part(SamplingParams s, int first, int count) {
    return s.toBuilder().n(count).seed(s.seedOf(first)).build();
  }

  @Override
  public boolean seedsReproduce() {
    return engine.seedsReproduce();
  }

  @Override
  public OptionalInt promptTokens(String prompt) {
    return engine.promptTokens(prompt);
  }

  /** The wrapped engine is closed by its owner, not here. */
  @Override
  public void close() {}
}
