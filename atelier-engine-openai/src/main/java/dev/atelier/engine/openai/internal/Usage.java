package dev.atelier.engine.openai.internal;

import dev.atelier.core.json.JsonValue;
import java.util.Map;
import java.util.Optional;

/**
 * The token usage an upstream reports for a call ({@code usage} in OpenAI's answer).
 *
 * @param inputTokens {@code input_tokens}
 * @param outputTokens {@code output_tokens}
 * @param totalTokens {@code total_tokens}
 * @param inputTextTokens {@code input_tokens_details.text_tokens}
 * @param inputImageTokens {@code input_tokens_details.image_tokens}
 */
public record Usage(
    long inputTokens,
    long outputTokens,
    long totalTokens,
    long inputTextTokens,
    long inputImageTokens) {

  /** Reads {@code usage} from an answer or event, if it has one. */
  static Optional<Usage> read(JsonValue.Obj answer) {
    Optional<JsonValue.Obj> usage = answer.object("usage");
    if (usage.isEmpty()) {
      return Optional.empty();
    }
    JsonValue.Obj u = usage.get();
    JsonValue.Obj details = u.object("input_tokens_details").orElse(new JsonValue.Obj(Map.of()));
    long input = u.integer("input_tokens", 0);
    long output = u.integer("output_tokens", 0);
    return Optional.of(
        new Usage(
            input,
            output,
            u.integer("total_tokens", input + output),
            details.integer("text_tokens", 0),
            details.integer("image_tokens", 0)));
  }

  /** The sum of two usages. */
  Usage plus(Usage o) {
    return new Usage(
        inputTokens + o.inputTokens,
        outputTokens + o.outputTokens,
        totalTokens + o.totalTokens,
        inputTextTokens + o.inputTextTokens,
        inputImageTokens + o.inputImageTokens);
  }

  /** Adds the provenance keys {@code usage.input_tokens}, ... to {@code parameters}. */
  public void addTo(Map<String, String> parameters) {
    parameters.put("usage.input_tokens", Long.toString(inputTokens));
    parameters.put("usage.output_tokens", Long.toString(outputTokens));
    parameters.put("usage.total_tokens", Long.toString(totalTokens));
    parameters.put("usage.input_text_tokens", Long.toString(inputTextTokens));
    parameters.put("usage.input_image_tokens", Long.toString(inputImageTokens));
  }
}
