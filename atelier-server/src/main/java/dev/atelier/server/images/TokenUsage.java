package dev.atelier.server.images;

import java.util.Map;

/**
 * Tokens an upstream billed, summed over images: OpenAI's {@code usage} object.
 *
 * <p>Engines record a call's usage on the first image of that call as {@code usage.*} provenance
 * entries (the openai engine does; the local engine records none), so summing over every image of a
 * response, or of a session, gives its total.
 */
public record TokenUsage(
    long inputTokens,
    long inputTextTokens,
    long inputImageTokens,
    long outputTokens,
    long totalTokens) {
  /** No tokens. */
  public static final TokenUsage ZERO = new TokenUsage(0, 0, 0, 0, 0);

  /** The usage recorded in one image's provenance, zero when none. */
  public static TokenUsage of(Map<String, String> provenance) {
    return new TokenUsage(
        count(provenance, "usage.input_tokens"),
        count(provenance, "usage.input_text_tokens"),
        count(provenance, "usage.input_image_tokens"),
        count(provenance, "usage.output_tokens"),
        count(provenance, "usage.total_tokens"));
  }

  private static long count(Map<String, String> p, String key) {
    String v = p.get(key);
    if (v == null || v.isBlank()) {
      return 0;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The sum of both. */
  public TokenUsage plus(TokenUsage o) {
    return new TokenUsage(
        inputTokens + o.inputTokens,
        inputTextTokens + o.inputTextTokens,
        inputImageTokens + o.inputImageTokens,
        outputTokens + o.outputTokens,
        totalTokens + o.totalTokens);
  }

  /**
   * What OpenAI would report for a call that the local engine ran: text tokens counted by the
   * model's own tokenizer, input image tokens by OpenAI's vision formula (high detail: the image
   * scaled to fit 2048x2048, then its short side to at most 768; 85 tokens plus 170 per 512-pixel
   * tile), and output image tokens by the formula that reproduces OpenAI's published gpt-image-1
   * table exactly (1024x1024: low 272, medium 1056, high 4160; 1024x1536: 408, 1584, 6240;
   * 1536x1024: 400, 1568, 6208): {@code ceil(h/p) * (ceil(w/p) + 1)} with {@code p} 64, 32 and 16
   * pixels for low, medium and high.
   *
   * @param textTokens the prompt's tokens
   * @param inputs the input images' sizes (an edit's image and mask, references)
   * @param outputs the output images' sizes
   * @param quality {@code low}, {@code medium} or {@code high} ({@code auto} counts as medium)
   */
  public static TokenUsage estimate(
      long textTokens,
      java.util.List<dev.atelier.core.ImageSize> inputs,
      java.util.List<dev.atelier.core.ImageSize> outputs,
      String quality) {
    long imageIn = 0;
    for (var size : inputs) {
      imageIn += inputImageTokens(size.width(), size.height());
    }
    long out = 0;
    for (var size : outputs) {
      out += outputImageTokens(size.width(), size.height(), quality);
    }
    long in = textTokens + imageIn;
    return new TokenUsage(in, textTokens, imageIn, out, in + out);
  }

  /** OpenAI's high-detail vision cost of one input image. */
  static long inputImageTokens(int width, int height) {
    double w = width;
    double h = height;
    if (w > 2048 || h > 2048) {
      double s = 2048 / Math.max(w, h);
      w = Math.floor(w * s);
      h = Math.floor(h * s);
    }
    if (Math.min(w, h) > 768) {
      double s = 768 / Math.min(w, h);
      w = Math.floor(w * s);
      h = Math.floor(h * s);
    }
    long tiles = (long) Math.ceil(w / 512) * (long) Math.ceil(h / 512);
    return 85 + 170 * tiles;
  }

  /** Output tokens of one image of {@code width}x{@code height} at {@code quality}. */
  static long outputImageTokens(int width, int height, String quality) {
    int patch =
        switch (quality) {
          case "low" -> 64;
          case "high" -> 16;
          default -> 32;
        };
    long rows = (height + patch - 1) / patch;
    long cols = (width + patch - 1) / patch;
    return rows * (cols + 1);
  }

  /** Whether any token was counted. */
  public boolean isZero() {
    return equals(ZERO);
  }
}
