package dev.atelier.engine.onnx.tokenizer.internal;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The special tokens a tokenizer folder declares, and the added tokens they imply.
 *
 * @param bos the beginning-of-text token
 * @param eos the end-of-text token
 * @param unk the token for symbols missing from the vocabulary
 * @param pad the padding token (SD2 tokenizers use "!")
 * @param declared the entries of {@code added_tokens_decoder}, in file order
 * @param configFile where {@code declared} came from, for messages
 */
public record SpecialTokens(
    Spec bos, Spec eos, Spec unk, Spec pad, List<AddedToken> declared, Path configFile) {

  /**
   * One special token.
   *
   * @param name the setting, e.g. {@code bos_token}
   * @param content its text
   * @param normalized whether it is matched after normalisation
   * @param source the file that set it, or null for CLIP's default
   */
  public record Spec(String name, String content, boolean normalized, Path source) {}

  /** Checks and copies the list. */
  public SpecialTokens {
    declared = List.copyOf(declared);
  }

  /**
   * Reads the four special tokens from {@code special_tokens_map.json}, then {@code
   * tokenizer_config.json}, then CLIP's defaults; each may be a string or an object with {@code
   * content}.
   */
  public static SpecialTokens from(
      JsonValue.Obj map, Path mapFile, JsonValue.Obj config, Path configFile) {
    List<AddedToken> declared = new ArrayList<>();
    config
        .object("added_tokens_decoder")
        .ifPresent(
            decoder ->
                decoder
                    .members()
                    .forEach((key, value) -> declared.add(decoded(key, value, configFile))));
    return new SpecialTokens(
        spec("bos_token", "<|startoftext|>", map, mapFile, config, configFile),
        spec("eos_token", "<|endoftext|>", map, mapFile, config, configFile),
        spec("unk_token", "<|endoftext|>", map, mapFile, config, configFile),
        spec("pad_token", "<|endoftext|>", map, mapFile, config, configFile),
        declared,
        configFile);
  }

  private static AddedToken decoded(String key, JsonValue value, Path configFile) {
    try {
      JsonValue.Obj o = value.asObject();
      // Serialised added tokens default to "normalized = not special", as the backend does.
      boolean special = o.bool("special", false);
      return new AddedToken(
          o.string("content", ""), Integer.parseInt(key), o.bool("normalized", !special));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          configFile
              + ": expected added_tokens_decoder entry "
              + Json.quote(key)
              + " to be an integer id mapped to {\"content\": ...} but "
              + e.getMessage(),
          e);
    }
  }

  private static Spec spec(
      String name,
      String fallback,
      JsonValue.Obj map,
      Path mapFile,
      JsonValue.Obj config,
      Path configFile) {
    if (map.has(name)) {
      return parse(name, map.get(name).orElseThrow(), mapFile);
    }
    if (config.has(name)) {
      return parse(name, config.get(name).orElseThrow(), configFile);
    }
    return new Spec(name, fallback, false, null);
  }

  private static Spec parse(String name, JsonValue value, Path file) {
    if (value instanceof JsonValue.Str s && !s.value().isEmpty()) {
      return new Spec(name, s.value(), false, file);
    }
    if (value instanceof JsonValue.Obj o && !o.string("content", "").isEmpty()) {
      return new Spec(name, o.string("content", ""), o.bool("normalized", false), file);
    }
    throw new IllegalArgumentException(
        file
            + ": expected "
            + name
            + " to be a non-empty string or {\"content\": ...} but found "
            + value);
  }

  /**
   * The tokens to match literally: every {@code added_tokens_decoder} entry, then each special
   * token not among them with its id from the vocabulary.
   *
   * @throws IllegalArgumentException when a special token has no id anywhere
   */
  public List<AddedToken> addedTokens(Bpe bpe, Path vocabFile) {
    Map<String, AddedToken> byContent = new LinkedHashMap<>();
    declared.forEach(t -> byContent.putIfAbsent(t.content(), t));
    for (Spec s : List.of(bos, eos, unk, pad)) {
      if (byContent.containsKey(s.content())) {
        continue;
      }
      int id = bpe.id(s.content());
      if (id < 0) {
        throw new IllegalArgumentException(
            (s.source() == null ? "default " : s.source() + ": ")
                + s.name()
                + " "
                + Json.quote(s.content())
                + " was expected in "
                + vocabFile
                + " or in added_tokens_decoder of "
                + configFile
                + " but is in neither");
      }
      byContent.put(s.content(), new AddedToken(s.content(), id, s.normalized()));
    }
    return List.copyOf(byContent.values());
  }
}
