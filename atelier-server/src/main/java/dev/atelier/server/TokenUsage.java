package dev.atelier.server;

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

  /** Whether any token was counted. */
  public boolean isZero() {
    return equals(ZERO);
  }
}
