package dev.atelier.engine.onnx.model;

import dev.atelier.core.AtelierException;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A model folder in the Hugging Face layout: finds components and reads their configs.
 *
 * <p>A component folder may be a symbolic link, or a small text file holding a relative path to a
 * sibling folder: that is how git checks out symbolic links where links are disabled, and how some
 * copies of multi-variant repositories share parts. Such a path must stay inside the parent of the
 * model folder.
 */
public final class ModelFolder {
  private static final int MAX_LINK_FILE_BYTES = 512;
  private final Path root;

  private ModelFolder(Path root) {
    this.root = root;
  }

  /**
   * Opens {@code root}.
   *
   * @throws AtelierException.ModelUnavailable when it is not a folder
   */
  public static ModelFolder of(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new AtelierException.ModelUnavailable(
          "model folder " + abs + " does not exist or is not a folder");
    }
    return new ModelFolder(abs);
  }

  /** The folder. */
  public Path root() {
    return root;
  }

  /** The folder's name, used as the model name in provenance. */
  public String name() {
    return root.getFileName() == null ? root.toString() : root.getFileName().toString();
  }

  /** The component folder {@code name} (following link files), if present. */
  public Optional<Path> component(String name) {
    Path p = root.resolve(name);
    if (Files.isDirectory(p)) {
      return Optional.of(p);
    }
    if (Files.isRegularFile(p)) {
      return Optional.of(followLinkFile(p, name));
    }
    return Optional.empty();
  }

  /**
   * The component folder {@code name}.
   *
   * @throws AtelierException.ModelUnavailable when it is missing
   */
  public Path requireComponent(String name) {
    return component(name)
        .orElseThrow(
            () ->
                new AtelierException.ModelUnavailable(
                    "model folder " + root + " has no " + name + "/ folder"));
  }

  private Path followLinkFile(Path file, String name) {
    try {
      if (Files.size(file) > MAX_LINK_FILE_BYTES) {
        throw new AtelierException.ModelUnavailable(
            name + " in " + root + " is a file, but a folder was expected");
      }
      String target = Files.readString(file, StandardCharsets.UTF_8).trim();
      Path resolved = file.getParent().resolve(target).normalize();
      Path boundary = root.getParent() == null ? root : root.getParent();
      if (target.isEmpty() || target.contains("\n") || !resolved.startsWith(boundary)) {
        throw new AtelierException.ModelUnavailable(
            name + " in " + root + " is a file, but a folder (or a link to one) was expected");
      }
      if (!Files.isDirectory(resolved)) {
        throw new AtelierException.ModelUnavailable(
            name + " in " + root + " links to " + target + ", which is not a folder");
      }
      return resolved;
    } catch (IOException e) {
      throw new AtelierException.ModelUnavailable("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code component/fileName} as a JSON object, if the file exists.
   *
   * @throws AtelierException.ModelUnavailable when it exists but is not a JSON object
   */
  public Optional<JsonValue.Obj> json(String component, String fileName) {
    Optional<Path> dir = component.isEmpty() ? Optional.of(root) : component(component);
    if (dir.isEmpty()) {
      return Optional.empty();
    }
    Path file = dir.get().resolve(fileName);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    String label = component.isEmpty() ? fileName : component + "/" + fileName;
    try {
      JsonValue v = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
      if (v instanceof JsonValue.Obj o) {
        return Optional.of(o);
      }
      throw new AtelierException.ModelUnavailable(label + " must be a JSON object");
    } catch (IOException | IllegalArgumentException e) {
      throw new AtelierException.ModelUnavailable(
          label + " in " + root + " is not readable JSON: " + e.getMessage(), e);
    }
  }

  /** Reads {@code component/config.json}, or an empty object when absent. */
  public JsonValue.Obj config(String component) {
    return json(component, "config.json").orElse(new JsonValue.Obj(Map.of()));
  }
}
