package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.model.StableDiffusionModel;
import dev.atelier.engine.onnx.model.TextEncoder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokenizes and encodes prompts, caching the embedding per prompt (prompts repeat across the rounds
 * of a session and across the images of a batch).
 *
 * <p>For SDXL a prompt goes through both towers, each with its own tokenizer ({@code prompt_2}
 * defaults to the prompt, as in diffusers): the penultimate layer's states of both, side by side
 * per token, and the second tower's pooled {@code text_embeds}.
 *
 * <p>Thread-safe. Empty strings are encoded like any other prompt, as diffusers does for a missing
 * negative prompt, except by SDXL models with {@code force_zeros_for_empty_prompt}, whose missing
 * negative prompt is zeros ({@link #negative}).
 */
public final class PromptEncoder {
  /**
   * One prompt's conditioning.
   *
   * @param hidden {@code [1, length, hidden]} token states
   * @param pooled SDXL's {@code [1, projection]} pooled text embedding; empty for SD 1.x/2.x
   */
  public record Embedding(float[] hidden, float[] pooled) {}

  private final StableDiffusionModel model;
  private final int cacheSize;
  private final Map<String, Embedding> cache;

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
          protected boolean removeEldestEntry(Map.Entry<String, Embedding> eldest) {
            return size() > PromptEncoder.this.cacheSize;
          }
        };
  }

  /** Padded length of every embedding (the tokenizer's max length, 77 for CLIP). */
  public int length() {
    return model.tokenizer().maxLength();
  }

  /** Width of every token embedding (for SDXL both towers' widths together). */
  public int hidden() {
    return model.textEncoder().hiddenSize()
        + model.textEncoder2().map(TextEncoder::hiddenSize).orElse(0);
  }

  /** Width of the pooled embedding: SDXL's {@code text_embeds}, 0 for SD 1.x/2.x. */
  public int pooled() {
    return model.unet().textEmbedsDim();
  }

  /**
   * The {@code [1, length, hidden]} embedding of {@code prompt}; callers must not modify it.
   *
   * @param timings receives the tokenizer and text-encoder times on a cache miss
   */
  public float[] embed(String prompt, StageTimings timings) {
    return embedding(prompt, timings).hidden();
  }

  /**
   * The embedding of a negative prompt: zeros when it is empty and the model zeroes empty prompts
   * (SDXL's {@code force_zeros_for_empty_prompt}: diffusers does so when no negative prompt is
   * given), else {@link #embedding}.
   */
  public Embedding negative(String negativePrompt, StageTimings timings) {
    if (negativePrompt.isEmpty() && model.isSdxl() && model.forceZerosForEmptyPrompt()) {
      return new Embedding(new float[length() * hidden()], new float[pooled()]);
    }
    return embedding(negativePrompt, timings);
  }

  /**
   * The conditioning of {@code prompt}; callers must not modify its arrays.
   *
   * @param timings receives the tokenizer and text-encoder times on a cache miss
   */
  public Embedding embedding(String prompt, StageTimings timings) {
    return embedding(prompt, prompt, timings);
  }

  /**
   * The conditioning of {@code prompt}, with SDXL's second tower reading {@code prompt2} (ignored
   * by SD 1.x/2.x); callers must not modify its arrays.
   */
  public Embedding embedding(String prompt, String prompt2, StageTimings timings) {
    boolean sdxl = model.isSdxl();
    String key = sdxl && !prompt2.equals(prompt) ? prompt + "\u0000" + prompt2 : prompt;
    synchronized (cache) {
      Embedding hit = cache.get(key);
      if (hit != null) {
        return hit;
      }
    }
    Embedding embedding = sdxl ? encodeSdxl(prompt, prompt2, timings) : encode(prompt, timings);
    if (cacheSize > 0) {
      synchronized (cache) {
        cache.put(key, embedding);
      }
    }
    return embedding;
  }

  private Embedding encode(String prompt, StageTimings timings) {
    long t0 = System.nanoTime();
    int[] ids = model.tokenizer().encodePadded(prompt);
    long t1 = System.nanoTime();
    float[] hidden = model.textEncoder().encode(new int[][] {ids});
    long t2 = System.nanoTime();
    timings.add(StageTimings.TOKENIZE, t1 - t0);
    timings.add(StageTimings.TEXT_ENCODER, t2 - t1);
    return new Embedding(hidden, new float[0]);
  }

  /** Both towers, their penultimate states concatenated per token (diffusers' encode_prompt). */
  private Embedding encodeSdxl(String prompt, String prompt2, StageTimings timings) {
    long t0 = System.nanoTime();
    int[] ids = model.tokenizer().encodePadded(prompt);
    int[] ids2 = model.tokenizer2().orElseThrow().encodePadded(prompt2);
    long t1 = System.nanoTime();
    TextEncoder.Penultimate one = model.textEncoder().encodePenultimate(ids);
    TextEncoder.Penultimate two = model.textEncoder2().orElseThrow().encodePenultimate(ids2);
    long t2 = System.nanoTime();
    timings.add(StageTimings.TOKENIZE, t1 - t0);
    timings.add(StageTimings.TEXT_ENCODER, t2 - t1);
    int length = ids.length;
    int w1 = one.hidden().length / length;
    int w2 = two.hidden().length / length;
    float[] hidden = new float[length * (w1 + w2)];
    for (int t = 0; t < length; t++) {
      System.arraycopy(one.hidden(), t * w1, hidden, t * (w1 + w2), w1);
      System.arraycopy(two.hidden(), t * w2, hidden, t * (w1 + w2) + w1, w2);
    }
    return new Embedding(hidden, two.pooled());
  }
}
