package dev.atelier.core;

import java.util.Objects;

/**
 * The sampling settings shared by generation and editing.
 *
 * @param negativePrompt what to steer away from; empty for none (diffusers then uses "")
 * @param n images to produce, 1..8
 * @param seed seed of image 0; image {@code i} reports {@code seed + i} in {@link
 *     NoiseMode#PER_IMAGE}
 * @param steps denoising steps, 1..500
 * @param guidanceScale classifier-free guidance; values <= 1 run the conditional branch only
 * @param scheduler a scheduler name ({@code euler}, {@code euler_a}, {@code ddim}, {@code lcm},
 *     {@code dpmpp_2m}, ...) or {@code "default"} for the model folder's own
 * @param noiseMode how the noise of a batch is drawn
 * @param decoder which VAE decoder to use
 * @param consistency what the images of a batch share ({@link Consistency#VARIATIONS} by default)
 * @param quality the caller's {@code quality} word ({@code auto}, {@code low}, {@code medium},
 *     {@code high}); the local engine has already turned it into steps and decoder, an upstream
 *     engine forwards it
 * @param prompt2 SDXL's {@code prompt_2}, what its second text tower reads; empty for the prompt
 *     itself (only SDXL models take another)
 */
public record SamplingParams(
    String negativePrompt,
    int n,
    long seed,
    int steps,
    double guidanceScale,
    String scheduler,
    NoiseMode noiseMode,
    Decoder decoder,
    String quality,
    Consistency consistency,
    String prompt2) {

  /** Most images one call may ask for. */
  public static final int MAX_N = 10;

  /** The quality words an engine may receive. */
  public static final java.util.List<String> QUALITIES =
      java.util.List.of("auto", "low", "medium", "high");

  /** Validates every field. */
  public SamplingParams {
    Objects.requireNonNull(negativePrompt, "negativePrompt");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(noiseMode, "noiseMode");
    Objects.requireNonNull(decoder, "decoder");
    Objects.requireNonNull(quality, "quality");
    Objects.requireNonNull(consistency, "consistency");
    Objects.requireNonNull(prompt2, "prompt2");
    if (!QUALITIES.contains(quality)) {
      throw new IllegalArgumentException(
          "quality must be one of " + QUALITIES + " but was '" + quality + "'");
    }
    if (n < 1 || n > MAX_N) {
      throw new IllegalArgumentException("n must be 1.." + MAX_N + " but was " + n);
    }
    if (steps < 1 || steps > 500) {
      throw new IllegalArgumentException("steps must be 1..500 but was " + steps);
    }
    if (!(guidanceScale >= 0 && guidanceScale <= 50)) {
      throw new IllegalArgumentException("guidance must be 0..50 but was " + guidanceScale);
    }
    if (seed < 0) {
      throw new IllegalArgumentException("seed must be >= 0 but was " + seed);
    }
    if (scheduler.isBlank()) {
      throw new IllegalArgumentException("scheduler must be a name or \"default\" but was blank");
    }
  }

  /** A builder starting from the defaults (n 1, seed 0, 20 steps, guidance 7.5, per-image). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these values. */
  public Builder toBuilder() {
    return new Builder()
        .negativePrompt(negativePrompt)
        .n(n)
        .seed(seed)
        .steps(steps)
        .guidanceScale(guidanceScale)
        .scheduler(scheduler)
        .noiseMode(noiseMode)
        .decoder(decoder)
        .quality(quality)
        .consistency(consistency)
        .prompt2(prompt2);
  }

  /** The seed image {@code index} of this batch reports. */
  public long seedOf(int index) {
    return noiseMode == NoiseMode.PER_IMAGE ? seed + index : seed;
  }

  /** Builds {@link SamplingParams}; validation happens in {@link #build()}. */
  public static final class Builder {
    private String negativePrompt = "";
    private int n = 1;
    private long seed;
    private int steps = 20;
    private double guidanceScale = 7.5;
    private String scheduler = "default";
    private NoiseMode noiseMode = NoiseMode.PER_IMAGE;
    private Decoder decoder = Decoder.FULL;
    private String quality = "auto";
    private Consistency consistency = Consistency.VARIATIONS;
    private String prompt2 = "";

    private Builder() {}

    /** Sets the negative prompt ("" for none). */
    public Builder negativePrompt(String v) {
      this.negativePrompt = v;
      return this;
    }

    /** Sets the number of images. */
    public Builder n(int v) {
      this.n = v;
      return this;
    }

    /** Sets the seed. */
    public Builder seed(long v) {
      this.seed = v;
      return this;
    }

    /** Sets the number of denoising steps. */
    public Builder steps(int v) {
      this.steps = v;
      return this;
    }

    /** Sets the classifier-free guidance scale. */
    public Builder guidanceScale(double v) {
      this.guidanceScale = v;
      return this;
    }

    /** Sets the scheduler name. */
    public Builder scheduler(String v) {
      this.scheduler = v;
      return this;
    }

    /** Sets the noise mode. */
    public Builder noiseMode(NoiseMode v) {
      this.noiseMode = v;
      return this;
    }

    /** Sets the VAE decoder. */
    public Builder decoder(Decoder v) {
      this.decoder = v;
      return this;
    }

    /**
     * Builds the value.
     *
     * @throws IllegalArgumentException when a field is out of range
     */
    /** The caller's quality word ({@code auto}, {@code low}, {@code medium}, {@code high}). */
    public Builder quality(String v) {
      this.quality = v;
      return this;
    }

    /** What the images of a batch share. */
    public Builder consistency(Consistency v) {
      this.consistency = v;
      return this;
    }

    /** Sets SDXL's {@code prompt_2} ("" for the prompt itself). */
    public Builder prompt2(String v) {
      this.prompt2 = v;
      return this;
    }

    public SamplingParams build() {
      return new SamplingParams(
          negativePrompt,
          n,
          seed,
          steps,
          guidanceScale,
          scheduler,
          noiseMode,
          decoder,
          quality,
          consistency,
          prompt2);
    }
  }
}
