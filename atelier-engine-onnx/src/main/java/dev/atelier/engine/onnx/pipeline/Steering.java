package dev.atelier.engine.onnx.pipeline;

import dev.atelier.engine.onnx.scheduler.Scheduler;
import java.util.Objects;

/**
 * What a text-to-image run adds to diffusers' pipeline: set noise ({@link SetNoise}), a latent
 * style pull ({@link StyleStatistics}) and image-prompt tokens ({@link ImageTokens}). {@link #NONE}
 * is the plain pipeline, bit for bit. Immutable.
 */
public final class Steering {
  /** Nothing added. */
  public static final Steering NONE =
      new Steering(InitialNoise.AS_DRAWN, null, 0, ImageTokens.NONE);

  private final InitialNoise initialNoise;
  // Null when there is no style pull; never exposed.
  private final StyleStatistics style;
  private final double styleWeight;
  private final ImageTokens imageTokens;

  private Steering(
      InitialNoise initialNoise, StyleStatistics style, double styleWeight, ImageTokens tokens) {
    this.initialNoise = Objects.requireNonNull(initialNoise, "initialNoise");
    this.style = style;
    this.styleWeight = styleWeight;
    this.imageTokens = Objects.requireNonNull(tokens, "imageTokens");
  }

  /** This steering with {@code noise} shaping the initial noise. */
  public Steering withInitialNoise(InitialNoise noise) {
    return new Steering(noise, style, styleWeight, imageTokens);
  }

  /**
   * This steering pulling the latents toward {@code target} at {@code weight}.
   *
   * @throws IllegalArgumentException when {@code weight} is outside [0, 1]
   */
  public Steering withStyle(StyleStatistics target, double weight) {
    if (!(weight >= 0 && weight <= 1)) {
      throw new IllegalArgumentException("style weight must be in 0..1 but was " + weight);
    }
    return new Steering(
        initialNoise, Objects.requireNonNull(target, "target"), weight, imageTokens);
  }

  /** This steering appending {@code tokens} to the text embedding. */
  public Steering withImageTokens(ImageTokens tokens) {
    return new Steering(initialNoise, style, styleWeight, tokens);
  }

  /** How the initial noise is shaped. */
  public InitialNoise initialNoise() {
    return initialNoise;
  }

  /** The image-prompt tokens ({@link ImageTokens#NONE} when none). */
  public ImageTokens imageTokens() {
    return imageTokens;
  }

  /** The hook run after every step: the style pull, or nothing. */
  StepHook hook(Scheduler scheduler, float[] timesteps, long[] shape) {
    return style == null ? StepHook.NONE : style.hook(scheduler, timesteps, shape, styleWeight);
  }
}
