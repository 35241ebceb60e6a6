package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which {@code model} names a request may send: a served model's own id, {@code atelier}, and
 * OpenAI's image model names ({@code gpt-image-*}, {@code dall-e-*}, {@code chatgpt-image-latest}),
 * which SDKs and tools send by default and which all mean "this server's default (first) model".
 * Any other name is refused naming {@code model}, so a client never believes another model ran.
 */
final class ModelNames {
  /** OpenAI's image model names, past and present. */
  static final Pattern OPENAI_IMAGE_MODELS =
      Pattern.compile("gpt-image-[A-Za-z0-9.-]+|dall-e-[23]|chatgpt-image-latest");

  /** Atelier's own name for "whatever this server serves" (used in the README's examples). */
  static final String ATELIER = "atelier";

  private ModelNames() {}

  /**
   * The served model a request picks with its {@code model}: the one with that id, else the first
   * (default) one for no name, {@code atelier} or an OpenAI name.
   *
   * @param served the served models' ids, as {@code /v1/models} lists them, the default first
   * @throws AtelierException.InvalidRequest naming {@code model} for a name this server does not
   *     serve, listing the served ids
   */
  static String pick(JsonFields f, List<String> served) {
    String asked = f.string("model").orElse("");
    if (served.contains(asked)) {
      return asked;
    }
    if (asked.isEmpty() || asked.equals(ATELIER) || OPENAI_IMAGE_MODELS.matcher(asked).matches()) {
      return served.get(0);
    }
    String ids =
        served.size() == 1
            ? "'"
                + served.get(0)
                + "' (this server's model; 'atelier' and OpenAI's gpt-image-*,"
                + " dall-e-* and chatgpt-image-latest also mean it)"
            : "one of "
                + String.join(", ", served.stream().map(id -> "'" + id + "'").toList())
                + " (this server's models; 'atelier' and OpenAI's gpt-image-*, dall-e-* and"
                + " chatgpt-image-latest mean the first)";
    throw new AtelierException.InvalidRequest(
        "model",
        "model must be "
            + ids
            + " but was '"
            + (asked.length() > 80 ? asked.substring(0, 77) + "..." : asked)
            + "'",
        "model_not_found");
  }
}
