package dev.atelier.server;

import dev.atelier.core.AtelierException;
import dev.atelier.core.json.JsonValue;
import java.util.Optional;

/**
 * Typed reads of request fields with errors that name the field, what was expected and what was
 * found.
 *
 * <p>JSON is read strictly: {@code "n": "2"} is a string, not an integer, and is refused, as OpenAI
 * refuses it. Multipart form fields can only be strings, so fields read through {@link #fromForm}
 * accept the text of a number or a boolean. Which fields a route takes is checked once per request
 * by {@link Endpoint#check}.
 */
final class JsonFields {
  private final JsonValue.Obj obj;
  private final boolean form;

  JsonFields(JsonValue.Obj obj) {
    this(obj, false);
  }

  private JsonFields(JsonValue.Obj obj, boolean form) {
    this.obj = obj;
    this.form = form;
  }

  static JsonFields fromForm(java.util.Map<String, String> form) {
    java.util.Map<String, JsonValue> m = new java.util.LinkedHashMap<>();
    form.forEach((k, v) -> m.put(k, new JsonValue.Str(v)));
    return new JsonFields(new JsonValue.Obj(m), true);
  }

  /** Whether the fields came from a multipart form (every value a string). */
  boolean isForm() {
    return form;
  }

  JsonValue.Obj raw() {
    return obj;
  }

  /**
   * Whether the request gave {@code name} a value: a JSON {@code null} counts as absent, as
   * OpenAI's nullable request fields do.
   */
  boolean has(String name) {
    return obj.get(name).filter(v -> !(v instanceof JsonValue.Null)).isPresent();
  }

  Optional<String> string(String name) {
    if (!has(name)) {
      return Optional.empty();
    }
    if (obj.get(name).orElseThrow() instanceof JsonValue.Str s) {
      return Optional.of(s.value());
    }
    throw invalid(name, "a string", obj.get(name).orElseThrow());
  }

  String requiredString(String name) {
    return string(name)
        .orElseThrow(() -> new AtelierException.InvalidRequest(name, name + " is required"));
  }

  Optional<Long> integer(String name) {
    if (!has(name)) {
      return Optional.empty();
    }
    JsonValue v = obj.get(name).orElseThrow();
    if (v instanceof JsonValue.Num n
        && n.value() == Math.rint(n.value())
        && Math.abs(n.value()) < 9.0e15) {
      return Optional.of((long) n.value());
    }
    if (form && v instanceof JsonValue.Str s && s.value().trim().matches("-?\\d{1,15}")) {
      return Optional.of(Long.parseLong(s.value().trim()));
    }
    throw invalid(name, "an integer", v);
  }

  Optional<Double> number(String name) {
    if (!has(name)) {
      return Optional.empty();
    }
    JsonValue v = obj.get(name).orElseThrow();
    if (v instanceof JsonValue.Num n && Double.isFinite(n.value())) {
      return Optional.of(n.value());
    }
    if (form && v instanceof JsonValue.Str s) {
      try {
        double d = Double.parseDouble(s.value().trim());
        if (Double.isFinite(d)) {
          return Optional.of(d);
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw invalid(name, "a number", v);
  }

  Optional<Boolean> bool(String name) {
    if (!has(name)) {
      return Optional.empty();
    }
    JsonValue v = obj.get(name).orElseThrow();
    if (v instanceof JsonValue.Bool b) {
      return Optional.of(b.value());
    }
    if (form
        && v instanceof JsonValue.Str s
        && (s.value().equals("true") || s.value().equals("false"))) {
      return Optional.of(Boolean.parseBoolean(s.value()));
    }
    throw invalid(name, "true or false", v);
  }

  /** The value at {@code name} as one of {@code allowed} (case-sensitive). */
  Optional<String> oneOf(String name, String... allowed) {
    Optional<String> v = string(name);
    if (v.isPresent() && !java.util.Arrays.asList(allowed).contains(v.get())) {
      throw new AtelierException.InvalidRequest(
          name,
          name + " must be one of " + String.join(", ", allowed) + " but was '" + v.get() + "'");
    }
    return v;
  }

  static AtelierException.InvalidRequest invalid(String name, String expected, JsonValue found) {
    String shown = found.toString();
    if (shown.length() > 60) {
      shown = shown.substring(0, 57) + "...";
    }
    return new AtelierException.InvalidRequest(
        name, name + " must be " + expected + " but was " + shown);
  }
}
