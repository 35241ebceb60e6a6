package dev.atelier.engine.onnx.pipeline;

/**
 * Image-prompt tokens (an IP-Adapter's projected reference embedding) appended after the text
 * tokens of every UNet batch row, so that the UNet sees {@code [batch, length + count, hidden]}.
 *
 * @param count tokens per row; 0 for none
 * @param hidden width of each token (the text encoder's)
 * @param cond the conditional rows' tokens {@code [count, hidden]}, flattened
 * @param uncond the unconditional rows' tokens, same shape (diffusers projects zero image embeds)
 */
public record ImageTokens(int count, int hidden, float[] cond, float[] uncond) {
  /** No image tokens: the text embedding alone, exactly as before IP-Adapter support. */
  public static final ImageTokens NONE = new ImageTokens(0, 0, new float[0], new float[0]);

  /** Checks the lengths. */
  public ImageTokens {
    if (count < 0 || hidden < 0) {
      throw new IllegalArgumentException(
          "count and hidden must be >= 0 but were " + count + " and " + hidden);
    }
    if (cond.length != count * hidden || uncond.length != count * hidden) {
      throw new IllegalArgumentException(
          "cond and uncond must hold "
              + count * hidden
              + " values but hold "
              + cond.length
              + " and "
              + uncond.length);
    }
  }
}
