package dev.atelier.core;

/** Which VAE decoder turns latents into pixels. */
public enum Decoder {
  /** The model's own decoder: best quality. The default. */
  FULL,
  /**
   * A tiny decoder (TAESD layout) when the engine has one: much faster, slightly softer; engines
   * without one use {@link #FULL} and say so in the provenance. OpenAI's {@code quality: low}.
   */
  TINY
}
