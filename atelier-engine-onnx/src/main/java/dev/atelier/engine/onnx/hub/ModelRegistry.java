package dev.atelier.engine.onnx.hub;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bundled short names for Hub models ({@code sd15}, {@code lcm-dreamshaper-v7}, ...), read from
 * {@code registry.json} beside this class.
 */
public final class ModelRegistry {

  private static final String RESOURCE = "registry.json";

  private final Map<String, RegistryEntry> entries;
  private final String defaultName;

  private ModelRegistry(Map<String, RegistryEntry> entries, String defaultName) {
    this.entries = entries;
    this.defaultName = defaultName;
    if (!entries.containsKey(defaultName)) {
      throw new IllegalArgumentException(
          "registry default must be one of " + entries.keySet() + " but was '" + defaultName + "'");
    }
  }

  /** The registry shipped with Atelier. */
  public static ModelRegistry bundled() {
    try (InputStream in = ModelRegistry.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing from the jar");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled " + RESOURCE, e);
    }
  }

  /**
   * Reads a registry document: {@code {"models": [{name, repo, revision, licence, size,
   * capabilities, note}], "default": name}}.
   *
   * @throws IllegalArgumentException when the document is malformed, naming the entry
   */
  public static ModelRegistry parse(String json) {
    JsonValue.Obj root = Json.parse(json).asObject();
    Map<String, RegistryEntry> entries = new LinkedHashMap<>();
    for (JsonValue item : root.array("models")) {
      JsonValue.Obj m = item.asObject();
      String name = m.string("name", "");
      try {
        Set<RegistryEntry.Capability> caps = EnumSet.noneOf(RegistryEntry.Capability.class);
        for (JsonValue c : m.array("capabilities")) {
          caps.add(RegistryEntry.Capability.fromWireName(((JsonValue.Str) c).value()));
        }
        RegistryEntry entry =
            new RegistryEntry(
                name,
                m.string("repo", ""),
                m.string("revision", ModelId.DEFAULT_REVISION),
                m.string("licence", ""),
                m.string("size", ""),
                caps,
                m.string("note", ""));
        if (entries.put(name, entry) != null) {
          throw new IllegalArgumentException("name is listed twice");
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "registry entry '" + name + "' is malformed: " + e.getMessage(), e);
      }
    }
    return new ModelRegistry(entries, root.string("default", ""));
  }

  /** All entries in file order. */
  public List<RegistryEntry> entries() {
    return new ArrayList<>(entries.values());
  }

  /** The entry with this short name. */
  public Optional<RegistryEntry> find(String name) {
    return Optional.ofNullable(entries.get(name));
  }

  /**
   * The model used when none is named.
   *
   * <p>LCM Dreamshaper v7: its upstream weights are MIT licensed (no use-based restrictions to pass
   * on, unlike OpenRAIL-M), and as a latent consistency model it makes a usable image in 4 steps,
   * which is what keeps generation bearable on a CPU.
   */
  public RegistryEntry defaultModel() {
    return entries.get(defaultName);
  }

  /**
   * A model id for {@code nameOrId}: a registered short name's repo and revision, otherwise the
   * text itself (which {@link ModelCache} then parses as {@code owner/name[@revision]} or a path).
   */
  public String expand(String nameOrId) {
    RegistryEntry e = entries.get(nameOrId);
    return e == null ? nameOrId : e.modelId().toString();
  }
}
