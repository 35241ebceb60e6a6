package dev.atelier.engine.onnx.grounding.internal;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.engine.onnx.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads a CLIP tokenizer from a folder that holds only a fast-tokenizer {@code tokenizer.json}.
 *
 * <p>{@link ClipTokenizer} reads the slow-tokenizer files; a {@code tokenizer.json} holds the same
 * vocabulary and merges under {@code "model"}. Rather than a second parser inside the tokenizer,
 * this adapter writes them out as {@code vocab.json} and {@code merges.txt} in a temporary folder
 * (with the folder's {@code tokenizer_config.json} and {@code special_tokens_map.json}, when
 * present), loads that, and deletes it. Loading happens once per model, so the copy costs nothing
 * that matters.
 */
public final class TokenizerJson {
  private TokenizerJson() {}

  /**
   * Loads the tokenizer of {@code dir}: from {@code vocab.json}/{@code merges.txt} when present,
   * else from {@code tokenizer.json}.
   *
   * @param dir the tokenizer folder
   * @return the tokenizer
   * @throws IllegalArgumentException naming the file that is missing or malformed
   */
  public static ClipTokenizer load(Path dir) {
    Path json = dir.resolve("tokenizer.json");
    if (Files.isRegularFile(dir.resolve("vocab.json")) || !Files.isRegularFile(json)) {
      return ClipTokenizer.load(dir);
    }
    JsonValue.Obj model;
    try {
      model =
          Json.parse(Files.readString(json, StandardCharsets.UTF_8))
              .asObject()
              .object("model")
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          json + ": expected a \"model\" object but found none"));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + json + ": " + e.getMessage(), e);
    }
    JsonValue.Obj vocab =
        model
            .object("vocab")
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        json + ": expected \"model\".\"vocab\" to be an object but it is not"));
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (JsonValue m : model.array("merges")) {
      merges.append(mergeLine(json, m)).append('\n');
    }
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("atelier-tokenizer");
      Files.writeString(tmp.resolve("vocab.json"), Json.write(vocab), StandardCharsets.UTF_8);
      Files.writeString(tmp.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
      for (String name : List.of("tokenizer_config.json", "special_tokens_map.json")) {
        if (Files.isRegularFile(dir.resolve(name))) {
          Files.copy(dir.resolve(name), tmp.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return ClipTokenizer.load(tmp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot convert " + json + " for loading", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  // tokenizers < 0.20 write "left right"; newer versions write ["left", "right"].
  private static String mergeLine(Path json, JsonValue m) {
    if (m instanceof JsonValue.Str s) {
      return s.value();
    }
    if (m instanceof JsonValue.Arr a
        && a.items().size() == 2
        && a.items().get(0) instanceof JsonValue.Str l
        && a.items().get(1) instanceof JsonValue.Str r) {
      return l.value() + " " + r.value();
    }
    throw new IllegalArgumentException(
        json + ": expected each merge as \"left right\" or [left, right] but found " + m);
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary folder is harmless; the tokenizer is already loaded.
    }
  }
}
