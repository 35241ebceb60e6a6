package dev.atelier.server.http;

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

  /**
   * The integer at {@code name}, within {@code min..max}. A JSON number counts when it is an exact
   * integer however it is written ({@code 2}, {@code 2.0}, {@code 2e0}; {@code -0} is 0), as
   * JavaScript and Python clients may send a whole number as a float; a fraction, a number beyond a
   * long ({@code 1e400}, a 100-digit integer) or a string is refused, never rounded.
   *
   * @throws AtelierException.InvalidRequest naming the field, the range and what was sent ("seed
   *     must be an integer 0..2^53-1 but was 1e400")
   */
  Optional<Long> integer(String name, long min, long max) {
    if (!has(name)) {
      return Optional.empty();
    }
    JsonValue v = obj.get(name).orElseThrow();
    Optional<Long> exact = Optional.empty();
    if (v instanceof JsonValue.Num n) {
      exact = n.exactLong();
    } else if (form && v instanceof JsonValue.Str s && s.value().trim().matches("-?\\d{1,19}")) {
      exact = new JsonValue.Num(0, s.value().trim()).exactLong();
    }
    if (exact.isPresent() && exact.get() >= min && exact.get() <= max) {
      return exact;
    }
    throw invalid(name, "an integer " + bound(min) + ".." + bound(max), v);
  }

  /**
   * The largest integer every JSON reader holds exactly (JavaScript's {@code
   * Number.MAX_SAFE_INTEGER}, and this server's own writer): the bound for integers a response
   * echoes, such as {@code seed}, so that a client reads back the number it sent.
   */
  static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

  private static String bound(long b) {
    if (b == Long.MAX_VALUE) {
      return "2^63-1";
    }
    return b == MAX_SAFE_INTEGER ? "2^53-1" : Long.toString(b);
  }

  Optional<Double> number(String name) {
    if (!has(name)) {
      return Optional.empty();
    }
    JsonValue v = obj.get(name).orElseThrow();
    if (v instanceof JsonValue.Num n && Double.isFinite(n.value())) {
      // -0 is 0: no range check here or after should see a negative zero.
      return Optional.of(n.value() == 0 ? 0.0 : n.value());
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
    // A number is shown as sent: 1e400 read as a double is infinite, which JSON writes as null.
    String shown = found instanceof JsonValue.Num n ? n.text() : found.toString();
    if (shown.length() > 60) {
      shown = shown.substring(0, 57) + "...";
    }
    return new AtelierException.InvalidRequest(
        name, name + " must be " + expected + " but was " + shown);
  }
}
