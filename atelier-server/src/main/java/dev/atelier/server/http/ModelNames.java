package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import java.util.regex.Pattern;

/**
 * Which {@code model} names a request may send: the served model's own name, {@code atelier}, and
 * OpenAI's image model names ({@code gpt-image-*}, {@code dall-e-*}, {@code chatgpt-image-latest}),
 * which SDKs and tools send by default and which all mean "the model this server serves". Any other
 * name is refused naming {@code model}, so a client never believes another model ran.
 */
final class ModelNames {
  /** OpenAI's image model names, past and present. */
  static final Pattern OPENAI_IMAGE_MODELS =
      Pattern.compile("gpt-image-[A-Za-z0-9.-]+|dall-e-[23]|chatgpt-image-latest");

  /** Atelier's own name for "whatever this server serves" (used in the README's examples). */
  static final String ATELIER = "atelier";

  private ModelNames() {}

  /**
   * Checks the request's {@code model}, when it sent one.
   *
   * @param served the served model's name, as {@code /v1/models} lists it
   * @throws AtelierException.InvalidRequest naming {@code model} for a name this server does not
   *     serve
   */
  static void check(JsonFields f, String served) {
    String asked = f.string("model").orElse("");
    if (asked.isEmpty()
        || asked.equals(served)
        || asked.equals(ATELIER)
        || OPENAI_IMAGE_MODELS.matcher(asked).matches()) {
      return;
    }
    throw new AtelierException.InvalidRequest(
        "model",
        "model must be '"
            + served
            + "' (this server's model; 'atelier' and OpenAI's gpt-image-*, dall-e-* and"
            + " chatgpt-image-latest also mean it) but was '"
            + (asked.length() > 80 ? asked.substring(0, 77) + "..." : asked)
            + "'",
        "model_not_found");
  }
}
