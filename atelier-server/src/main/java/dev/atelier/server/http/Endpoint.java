package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every route that takes a request body, with the fields it accepts: OpenAI's own (for the Images
 * API routes, exactly those of OpenAI's current API reference) and Atelier's documented extensions.
 *
 * <p>Any other field is refused with OpenAI's {@code unknown_parameter} error naming it, so that a
 * misspelled or unsupported parameter never passes silently. Session images are PNGs by design (a
 * lossless chain is what keeps unedited pixels identical round after round), so the session routes
 * take no output fields. {@code docs/openai-compatibility.md} lists the same fields, and a test
 * keeps the two in step.
 */
public enum Endpoint {
  GENERATIONS(
      "/v1/images/generations",
      List.of("prompt", "model", "n", "size", "quality", "background", "moderation"),
      Fields.OUTPUT,
      List.of(),
      Fields.SAMPLING,
      List.of("consistency", "prompts", "character", "prompt_2"),
      Fields.REFERENCES),
  EDITS(
      "/v1/images/edits",
      List.of("image", "image[]", "images", "mask", "prompt", "model", "n", "size", "quality"),
      List.of("background", "input_fidelity"),
      Fields.OUTPUT,
      List.of(),
      Fields.SAMPLING,
      List.of(
          "strength",
          "instruct",
          "image_guidance",
          "mask_mode",
          "session",
          "dry_run",
          "grounding_threshold",
          "prompt_2"),
      Fields.REFERENCES),
  VARIATIONS(
      "/v1/images/variations",
      List.of("image", "image[]", "model", "n", "size", "response_format", "user"),
      List.of(),
      List.of("prompt", "seed", "negative_prompt", "steps", "scheduler", "guidance", "strength"),
      List.of("quality", "output_format", "output_compression")),
  SESSION_CREATE(
      "/v1/sessions",
      List.of(),
      List.of(),
      List.of("prompt", "image", "image[]", "images", "model", "size", "quality", "background"),
      Fields.SAMPLING,
      Fields.REFERENCES),
  SESSION_ROUND(
      "/v1/sessions/{id}/rounds",
      List.of(),
      List.of(),
      List.of("instruction", "prompt", "mask", "model", "size", "quality", "background"),
      List.of("seed", "negative_prompt", "steps", "scheduler", "guidance"),
      List.of("strength", "instruct", "image_guidance", "input_fidelity", "mask_mode"),
      List.of("grounding_threshold"),
      Fields.REFERENCES),
  SESSION_RESTART(
      "/v1/sessions/{id}/restart",
      List.of(),
      List.of(),
      List.of("strength", "dry_run", "model", "size", "quality", "background"),
      Fields.SAMPLING),
  SESSION_CHECKOUT("/v1/sessions/{id}/checkout", List.of(), List.of(), List.of("round_id")),
  EDIT_PLAN("/v1/edits/plan", List.of(), List.of(), List.of("instruction")),
  EDIT_COMPOSE(
      "/v1/edits/compose",
      List.of(),
      List.of(),
      List.of("what", "attribute", "to", "keep", "constraint", "language"));

  /** Field groups several routes share. */
  private static final class Fields {
    static final List<String> OUTPUT =
        List.of(
            "output_format",
            "output_compression",
            "partial_images",
            "stream",
            "response_format",
            "user");
    static final List<String> SAMPLING =
        List.of("seed", "negative_prompt", "steps", "scheduler", "guidance", "noise");
    static final List<String> REFERENCES = List.of("references", "reference_images");
  }

  private final String path;
  private final List<String> openAi;
  private final List<String> extensions;

  /**
   * A route: its OpenAI fields (the first groups, up to the empty list that separates them) and
   * then its extensions, each given as groups so that shared groups are written once.
   */
  @SafeVarargs
  Endpoint(String path, List<String>... groups) {
    this.path = path;
    List<String> ours = new java.util.ArrayList<>();
    List<String> theirs = new java.util.ArrayList<>();
    boolean extension = false;
    for (List<String> g : groups) {
      if (g.isEmpty()) {
        extension = true;
      }
      (extension ? ours : theirs).addAll(g);
    }
    this.openAi = List.copyOf(theirs);
    this.extensions = List.copyOf(ours);
  }

  /** The route, as documented. */
  public String path() {
    return path;
  }

  /** The fields OpenAI's API defines for this route (empty for Atelier's own routes). */
  public List<String> openAiFields() {
    return openAi;
  }

  /** Atelier's extensions (every field, for Atelier's own routes). */
  List<String> extensionFields() {
    return extensions;
  }

  /** Every accepted field. */
  public Set<String> fields() {
    Set<String> all = new LinkedHashSet<>(openAi);
    all.addAll(extensions);
    return all;
  }

  /**
   * Refuses the first field this route does not take.
   *
   * @throws AtelierException.InvalidRequest with code {@code unknown_parameter}, naming the field
   *     and what the route takes
   */
  void check(JsonFields f) {
    Set<String> known = fields();
    for (String name : f.raw().members().keySet()) {
      if (known.contains(name) || !f.has(name)) {
        continue; // a JSON null is absent, whatever the name
      }
      if (name.equals("style")) {
        throw new AtelierException.InvalidRequest(
            "style",
            "style is DALL-E 3's vivid/natural switch, which Atelier's models do not have:"
                + " describe the style in the prompt, or send reference_images",
            "unknown_parameter");
      }
      StringBuilder m = new StringBuilder();
      m.append("unknown parameter '").append(name).append("' for ").append(path).append(": ");
      if (!openAi.isEmpty()) {
        m.append("it takes OpenAI's ")
            .append(String.join(", ", openAi))
            .append(" and Atelier's ")
            .append(String.join(", ", extensions));
      } else {
        m.append("it takes ").append(String.join(", ", extensions));
      }
      throw new AtelierException.InvalidRequest(name, m.toString(), "unknown_parameter");
    }
  }
}
