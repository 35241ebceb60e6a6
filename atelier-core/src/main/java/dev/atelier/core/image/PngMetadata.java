package dev.atelier.core.image;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The PNG text chunks Atelier writes into every image it makes, from the CLI and the server alike,
 * so that a saved or downloaded file says how to make it again.
 *
 * <p>Three chunks, in this order: {@code parameters} in the "prompt / Negative prompt: ... / Steps:
 * ..., Sampler: ..., CFG scale: ..., Seed: ..., Size: ..., Model: ..." form that AUTOMATIC1111's
 * web UI writes and image viewers and model sites read; {@code atelier} with every provenance field
 * as a JSON object of strings; and {@code Software: Atelier}.
 */
public final class PngMetadata {

  private PngMetadata() {}

  /**
   * The text chunks for an image with this provenance.
   *
   * @param provenance the image's fields as text, such as {@code GeneratedImage.parameters()}:
   *     {@code prompt}, {@code negative_prompt}, {@code steps}, {@code scheduler}, {@code
   *     guidance}, {@code seed}, {@code size}, {@code model} and any others
   * @return keyword to text, in the order written
   */
  public static Map<String, String> textChunks(Map<String, String> provenance) {
    Map<String, JsonValue> json = new LinkedHashMap<>();
    provenance.forEach((k, v) -> json.put(k, new JsonValue.Str(v)));
    Map<String, String> chunks = new LinkedHashMap<>();
    chunks.put("parameters", parameters(provenance));
    chunks.put("atelier", Json.write(new JsonValue.Obj(json)));
    chunks.put("Software", "Atelier");
    return chunks;
  }

  /**
   * The {@code parameters} text in AUTOMATIC1111's form.
   *
   * <p>The prompt is the first line; {@code Negative prompt:} follows only when the provenance has
   * one; the last line lists steps, sampler (the scheduler's name), CFG scale (guidance), seed,
   * size and model, each empty when the provenance lacks it.
   *
   * @param provenance the image's fields as text
   * @return the text, lines separated by {@code \n}
   */
  public static String parameters(Map<String, String> provenance) {
    StringBuilder a = new StringBuilder(provenance.getOrDefault("prompt", ""));
    if (provenance.containsKey("negative_prompt")) {
      a.append("\nNegative prompt: ").append(provenance.get("negative_prompt"));
    }
    a.append("\nSteps: ")
        .append(provenance.getOrDefault("steps", ""))
        .append(", Sampler: ")
        .append(provenance.getOrDefault("scheduler", ""))
        .append(", CFG scale: ")
        .append(provenance.getOrDefault("guidance", ""))
        .append(", Seed: ")
        .append(provenance.getOrDefault("seed", ""))
        .append(", Size: ")
        .append(provenance.getOrDefault("size", ""))
        .append(", Model: ")
        .append(provenance.getOrDefault("model", ""));
    return a.toString();
  }
}
