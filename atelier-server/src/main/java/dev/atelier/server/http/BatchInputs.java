package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.Consistency;
import dev.atelier.core.SamplingParams;
import dev.atelier.core.batch.CharacterSheet;
import dev.atelier.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a generation batch should share: {@code consistency} ({@code variations}, the default, or
 * {@code set}), one prompt per panel in {@code prompts[]}, and a {@code character} sheet.
 *
 * <p>In a set, the character sheet comes from {@code character} ({@code age}, {@code hair}, {@code
 * glasses}, {@code clothing}, {@code palette}) or is extracted from the prompt, and is applied to
 * every panel's prompt (the guide's pitfall 3: characters drift across a batch unless their traits
 * are spelled out). A prompt that names a person without at least two traits gets a warning that
 * suggests adding them.
 *
 * @param options the generation options, with {@code n} set from {@code prompts[]} when given
 * @param prompt the prompt that describes the batch (the first panel's when only panels are given)
 * @param panels one prompt per image, the sheet applied; empty for {@code prompt} on every image
 * @param sheet the character sheet applied (empty for none)
 * @param warnings sentences for the response
 */
record BatchInputs(
    GenerationOptions options,
    String prompt,
    List<String> panels,
    CharacterSheet sheet,
    List<String> warnings) {

  static BatchInputs read(JsonFields f, GenerationOptions o) {
    Consistency consistency =
        f.oneOf("consistency", "variations", "set").orElse("variations").equals("set")
            ? Consistency.SET
            : Consistency.VARIATIONS;
    List<String> panels = panels(f);
    String prompt =
        panels.isEmpty() || f.has("prompt") ? GenerationOptions.prompt(f, "prompt") : panels.get(0);
    SamplingParams.Builder sampling = o.sampling().toBuilder().consistency(consistency);
    if (!panels.isEmpty()) {
      if (f.has("n") && o.sampling().n() != panels.size()) {
        throw new AtelierException.InvalidRequest(
            "prompts",
            "prompts must hold one prompt per image: n is "
                + o.sampling().n()
                + " but prompts holds "
                + panels.size());
      }
      sampling.n(panels.size());
    }
    CharacterSheet sheet = CharacterSheet.EMPTY;
    List<String> warnings = new ArrayList<>();
    Optional<JsonValue> character = f.raw().get("character");
    if (character.isPresent() && !(character.get() instanceof JsonValue.Null)) {
      if (!(character.get() instanceof JsonValue.Obj obj)) {
        throw JsonFields.invalid(
            "character", "an object {age, hair, glasses, clothing, palette}", character.get());
      }
      try {
        sheet = CharacterSheet.fromJson(obj);
      } catch (IllegalArgumentException e) {
        throw new AtelierException.InvalidRequest("character", e.getMessage());
      }
    } else if (consistency == Consistency.SET || !panels.isEmpty()) {
      sheet = CharacterSheet.extract(prompt);
      CharacterSheet.missingTraitsWarning(prompt).ifPresent(warnings::add);
    }
    List<String> applied = new ArrayList<>();
    for (String panel : panels) {
      applied.add(sheet.isEmpty() ? panel : sheet.applyTo(panel));
    }
    String described = sheet.isEmpty() || !panels.isEmpty() ? prompt : sheet.applyTo(prompt);
    GenerationOptions options =
        new GenerationOptions(
            sampling.build(),
            o.size(),
            o.sizeAuto(),
            o.output(),
            o.urlResponse(),
            List.of(),
            o.request(),
            o.notices());
    return new BatchInputs(options, described, applied, sheet, warnings);
  }

  private static List<String> panels(JsonFields f) {
    Optional<JsonValue> v = f.raw().get("prompts");
    if (v.isEmpty() || v.get() instanceof JsonValue.Null) {
      return List.of();
    }
    if (!(v.get() instanceof JsonValue.Arr arr)) {
      throw JsonFields.invalid(
          "prompts", "a list of 1.." + SamplingParams.MAX_N + " prompts", v.get());
    }
    if (arr.items().isEmpty() || arr.items().size() > SamplingParams.MAX_N) {
      throw new AtelierException.InvalidRequest(
          "prompts",
          "prompts must hold 1.."
              + SamplingParams.MAX_N
              + " prompts but holds "
              + arr.items().size());
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < arr.items().size(); i++) {
      String field = "prompts[" + i + "]";
      if (!(arr.items().get(i) instanceof JsonValue.Str s)) {
        throw JsonFields.invalid(field, "a string", arr.items().get(i));
      }
      if (s.value().isBlank()) {
        throw new AtelierException.InvalidRequest(field, field + " must not be empty");
      }
      if (s.value().length() > 32_000) {
        throw new AtelierException.InvalidRequest(
            field, field + " must be at most 32000 characters but was " + s.value().length());
      }
      out.add(s.value());
    }
    return out;
  }
}
