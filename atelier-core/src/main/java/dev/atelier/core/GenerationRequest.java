package dev.atelier.core;

import java.util.List;
import java.util.Objects;

/**
 * Text-to-image: {@code n} images of {@code size} from {@code prompt}.
 *
 * @param prompt what to draw; 1..32000 characters
 * @param size output size
 * @param sampling sampling settings
 * @param references reference images (style, subject, ...), at most {@link
 *     Reference#MAX_REFERENCES}; engines that cannot use them refuse the request
 */
public record GenerationRequest(
    String prompt, ImageSize size, SamplingParams sampling, List<Reference> references) {
  /** Longest prompt accepted, as OpenAI's Images API. */
  public static final int MAX_PROMPT_CHARS = 32_000;

  /** Validates the prompt and the references. */
  public GenerationRequest {
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(sampling, "sampling");
    checkPrompt(prompt);
    references = Reference.checkAll(references);
  }

  /** A request without references. */
  public GenerationRequest(String prompt, ImageSize size, SamplingParams sampling) {
    this(prompt, size, sampling, List.of());
  }

  static void checkPrompt(String prompt) {
    Objects.requireNonNull(prompt, "prompt");
    if (prompt.isBlank()) {
      throw new IllegalArgumentException("prompt must not be empty");
    }
    if (prompt.length() > MAX_PROMPT_CHARS) {
      throw new IllegalArgumentException(
          "prompt must be at most " + MAX_PROMPT_CHARS + " characters but was " + prompt.length());
    }
  }
}
