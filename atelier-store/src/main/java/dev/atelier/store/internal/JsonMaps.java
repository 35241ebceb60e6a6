package dev.atelier.store.internal;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stores a {@code String -> String} map (provenance, params) as a JSON object in one TEXT column.
 *
 * <p>JSON rather than a side table because the maps are read and written whole and their keys are
 * open-ended; key order is kept.
 */
public final class JsonMaps {
  private JsonMaps() {}

  /** The map as compact JSON. */
  public static String write(Map<String, String> map) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    map.forEach((k, v) -> members.put(k, new JsonValue.Str(v)));
    return Json.write(new JsonValue.Obj(members));
  }

  /**
   * Parses what {@link #write} produced.
   *
   * @param column the column's name, for the error message
   * @throws IllegalStateException when the text is not a JSON object of strings (a corrupt row)
   */
  public static Map<String, String> read(String json, String column) {
    JsonValue parsed;
    try {
      parsed = Json.parse(json);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          column + " must hold a JSON object but held unparseable text: " + e.getMessage(), e);
    }
    if (!(parsed instanceof JsonValue.Obj obj)) {
      throw new IllegalStateException(column + " must hold a JSON object but held " + json);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> e : obj.members().entrySet()) {
      if (!(e.getValue() instanceof JsonValue.Str s)) {
        throw new IllegalStateException(
            column + "." + e.getKey() + " must be a string but was " + e.getValue());
      }
      out.put(e.getKey(), s.value());
    }
    return out;
  }
}
