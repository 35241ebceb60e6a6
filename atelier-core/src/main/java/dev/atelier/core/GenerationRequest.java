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
 * @param prompts one prompt per image (e.g. storyboard panels), exactly {@code sampling.n()} of
 *     them, or empty for {@code prompt} on every image; {@code prompt} then describes the set
 */
public record GenerationRequest(
    String prompt,
    ImageSize size,
    SamplingParams sampling,
    List<Reference> references,
    List<String> prompts) {
  /** Longest prompt accepted, as OpenAI's Images API. */
  public static final int MAX_PROMPT_CHARS = 32_000;

  /** Validates the prompt and the references. */
  public GenerationRequest {
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(sampling, "sampling");
    checkPrompt(prompt);
    references = Reference.checkAll(references);
    prompts = List.copyOf(prompts);
    if (!prompts.isEmpty() && prompts.size() != sampling.n()) {
      throw new IllegalArgumentException(
          "prompts must hold one prompt per image ("
              + sampling.n()
              + ") but holds "
              + prompts.size());
    }
    prompts.forEach(GenerationRequest::checkPrompt);
  }

  /** A request without references, one prompt for every image. */
  public GenerationRequest(String prompt, ImageSize size, SamplingParams sampling) {
    this(prompt, size, sampling, List.of(), List.of());
  }

  /** A request with references, one prompt for every image. */
  public GenerationRequest(
      String prompt, ImageSize size, SamplingParams sampling, List<Reference> references) {
    this(prompt, size, sampling, references, List.of());
  }

  /** The prompt of image {@code i}: its own from {@link #prompts()}, else {@link #prompt()}. */
  public String promptOf(int i) {
    return prompts.isEmpty() ? prompt : prompts.get(i);
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
