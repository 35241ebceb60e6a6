package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.model.StableDiffusionModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokenizes and encodes prompts, caching the embedding per prompt (prompts repeat across the rounds
 * of a session and across the images of a batch).
 *
 * <p>Thread-safe. Empty strings are encoded like any other prompt, as diffusers does for a missing
 * negative prompt.
 */
public final class PromptEncoder {
  private final StableDiffusionModel model;
  private final int cacheSize;
  private final Map<String, float[]> cache;

  /**
   * Creates an encoder for {@code model} that remembers the last {@code cacheSize} prompts.
   *
   * @throws IllegalArgumentException when {@code cacheSize} is negative
   */
  public PromptEncoder(StableDiffusionModel model, int cacheSize) {
    if (cacheSize < 0) {
      throw new IllegalArgumentException("cacheSize must be >= 0 but was " + cacheSize);
    }
    this.model = model;
    this.cacheSize = cacheSize;
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > PromptEncoder.this.cacheSize;
          }
        };
  }

  /** Padded length of every embedding (the tokenizer's max length, 77 for CLIP). */
  public int length() {
    return model.tokenizer().maxLength();
  }

  /** Width of every token embedding. */
  public int hidden() {
    return model.textEncoder().hiddenSize();
  }

  /**
   * The {@code [1, length, hidden]} embedding of {@code prompt}; callers must not modify it.
   *
   * @param timings receives the tokenizer and text-encoder times on a cache miss
   */
  public float[] embed(String prompt, StageTimings timings) {
    synchronized (cache) {
      float[] hit = cache.get(prompt);
      if (hit != null) {
        return hit;
      }
    }
    long t0 = System.nanoTime();
    int[] ids = model.tokenizer().encodePadded(prompt);
    long t1 = System.nanoTime();
    float[] embedding = model.textEncoder().encode(new int[][] {ids});
    long t2 = System.nanoTime();
    timings.add(StageTimings.TOKENIZE, t1 - t0);
    timings.add(StageTimings.TEXT_ENCODER, t2 - t1);
    if (cacheSize > 0) {
      synchronized (cache) {
        cache.put(prompt, embedding);
      }
    }
    return embedding;
  }
}
