package dev.atelier.engine.onnx.scheduler;

import dev.atelier.core.json.JsonValue;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A diffusers {@code scheduler_config.json}: typed reads with each scheduler's own defaults.
 *
 * <p>Keys listed in {@code _use_default_values} are treated as absent, as diffusers' {@code
 * from_config} does, so that switching scheduler class keeps the target class's defaults for them.
 */
public record SchedulerConfig(JsonValue.Obj json) {

  /** An empty config: every value takes the scheduler's default. */
  public static SchedulerConfig empty() {
    return new SchedulerConfig(new JsonValue.Obj(Map.of()));
  }

  /** This config with {@code key} set (overrides from the command line or API). */
  public SchedulerConfig with(String key, JsonValue value) {
    Map<String, JsonValue> m = new LinkedHashMap<>(json.members());
    m.put(key, value);
    List<JsonValue> defaults =
        json.array("_use_default_values").stream()
            .filter(v -> !(v instanceof JsonValue.Str s && s.value().equals(key)))
            .toList();
    m.put("_use_default_values", new JsonValue.Arr(defaults));
    return new SchedulerConfig(new JsonValue.Obj(m));
  }

  private Set<String> defaulted() {
    Set<String> s = new HashSet<>();
    for (JsonValue v : json.array("_use_default_values")) {
      if (v instanceof JsonValue.Str str) {
        s.add(str.value());
      }
    }
    return s;
  }

  /** True when {@code key} holds a non-null value that is not marked as a default. */
  public boolean has(String key) {
    return json.has(key) && !defaulted().contains(key);
  }

  /** The number at {@code key} or {@code fallback}. */
  public double number(String key, double fallback) {
    return has(key) ? json.number(key, fallback) : fallback;
  }

  /** The integer at {@code key} or {@code fallback}. */
  public int integer(String key, int fallback) {
    return has(key) ? Math.toIntExact(json.integer(key, fallback)) : fallback;
  }

  /** The string at {@code key} or {@code fallback}. */
  public String string(String key, String fallback) {
    return has(key) ? json.string(key, fallback) : fallback;
  }

  /** The boolean at {@code key} or {@code fallback}. */
  public boolean bool(String key, boolean fallback) {
    return has(key) ? json.bool(key, fallback) : fallback;
  }

  /** The array at {@code key} (e.g. {@code trained_betas}), empty when absent. */
  public List<JsonValue> array(String key) {
    return has(key) ? json.array(key) : List.of();
  }
}
