package dev.atelier.core.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed JSON value.
 *
 * <p>Model folders, fixtures and the wire use JSON; this small tree keeps {@code atelier-core} free
 * of dependencies. Python writes {@code NaN}, {@code Infinity} and {@code -Infinity} into JSON
 * (diffusers configs do), so {@link Json#parse} accepts them as numbers; {@link Json#write} writes
 * a non-finite {@link Num} as {@code null}.
 */
public sealed interface JsonValue {

  /** A JSON object; keys keep their order. */
  record Obj(Map<String, JsonValue> members) implements JsonValue {
    public Obj {
      members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
    }

    /** The member named {@code key}, if present (a JSON {@code null} is present). */
    public Optional<JsonValue> get(String key) {
      return Optional.ofNullable(members.get(key));
    }

    /** True when {@code key} is present and not JSON {@code null}. */
    public boolean has(String key) {
      JsonValue v = members.get(key);
      return v != null && !(v instanceof Null);
    }

    /**
     * The number at {@code key}, or {@code fallback} when absent or null.
     *
     * @throws IllegalArgumentException when the member is present but not a number
     */
    public double number(String key, double fallback) {
      if (!has(key)) {
        return fallback;
      }
      if (members.get(key) instanceof Num n) {
        return n.value();
      }
      throw new IllegalArgumentException(
          "\"" + key + "\" must be a number but was " + members.get(key));
    }

    /** The integer at {@code key}, or {@code fallback} when absent or null. */
    public long integer(String key, long fallback) {
      if (!has(key)) {
        return fallback;
      }
      double d = number(key, fallback);
      if (d != Math.rint(d)) {
        throw new IllegalArgumentException("\"" + key + "\" must be an integer but was " + d);
      }
      return (long) d;
    }

    /** The string at {@code key}, or {@code fallback} when absent or null. */
    public String string(String key, String fallback) {
      if (!has(key)) {
        return fallback;
      }
      if (members.get(key) instanceof Str s) {
        return s.value();
      }
      throw new IllegalArgumentException(
          "\"" + key + "\" must be a string but was " + members.get(key));
    }

    /** The boolean at {@code key}, or {@code fallback} when absent or null. */
    public boolean bool(String key, boolean fallback) {
      if (!has(key)) {
        return fallback;
      }
      if (members.get(key) instanceof Bool b) {
        return b.value();
      }
      throw new IllegalArgumentException(
          "\"" + key + "\" must be true or false but was " + members.get(key));
    }

    /** The object at {@code key}. */
    public Optional<Obj> object(String key) {
      return has(key) && members.get(key) instanceof Obj o ? Optional.of(o) : Optional.empty();
    }

    /** The array at {@code key}, empty when absent or null. */
    public List<JsonValue> array(String key) {
      return has(key) && members.get(key) instanceof Arr a ? a.items() : List.of();
    }

    @Override
    public String toString() {
      return Json.write(this);
    }
  }

  /** A JSON array. */
  record Arr(List<JsonValue> items) implements JsonValue {
    public Arr {
      items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    @Override
    public String toString() {
      return Json.write(this);
    }
  }

  /** A JSON string. */
  record Str(String value) implements JsonValue {
    @Override
    public String toString() {
      return Json.write(this);
    }
  }

  /**
   * A JSON number, kept as a double (exact for integers up to 2^53) and as the text it was read
   * from, so that an integer field can be read exactly or refused ({@link #exactLong()}) instead of
   * being rounded.
   *
   * @param value the number as a double: infinite when the text is beyond the double range
   * @param text the number as written ({@code 1e400}, {@code 9007199254740993}); for a number made
   *     in code, its {@link Double#toString}
   */
  record Num(double value, String text) implements JsonValue {
    /** Requires the text. */
    public Num {
      java.util.Objects.requireNonNull(text, "text");
    }

    /** A number made in code. */
    public Num(double value) {
      this(value, Double.toString(value));
    }

    /** The value as a long; integers beyond 2^53 are not represented exactly. */
    public long asLong() {
      return (long) value;
    }

    /**
     * The number as a long when it is an integer that a long holds exactly: {@code 7}, {@code 7.0},
     * {@code 7e0} and {@code 9223372036854775807} are, {@code 7.5}, {@code 1e19}, {@code NaN} are
     * not; {@code -0} is 0.
     */
    public Optional<Long> exactLong() {
      try {
        java.math.BigDecimal d = new java.math.BigDecimal(text);
        if (d.signum() == 0) {
          return Optional.of(0L);
        }
        // Digits before the point, checked before any digit is expanded: 1e999999 has a million.
        if (d.precision() - d.scale() > 19) {
          return Optional.empty();
        }
        return Optional.of(d.longValueExact());
      } catch (NumberFormatException | ArithmeticException e) {
        return Optional.empty();
      }
    }

    /** Equal when the values are: {@code 1}, {@code 1.0} and {@code 1e0} are the same number. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Num n && Double.compare(value, n.value) == 0;
    }

    @Override
    public int hashCode() {
      return Double.hashCode(value);
    }

    @Override
    public String toString() {
      return Json.write(this);
    }
  }

  /** {@code true} or {@code false}. */
  record Bool(boolean value) implements JsonValue {
    @Override
    public String toString() {
      return Json.write(this);
    }
  }

  /** JSON {@code null}. */
  record Null() implements JsonValue {
    /** The only instance needed. */
    public static final Null INSTANCE = new Null();

    @Override
    public String toString() {
      return "null";
    }
  }

  /** This value as an object. */
  default Obj asObject() {
    if (this instanceof Obj o) {
      return o;
    }
    throw new IllegalArgumentException("expected a JSON object but found " + this);
  }

  /** This value as a list of items. */
  default List<JsonValue> asArray() {
    if (this instanceof Arr a) {
      return a.items();
    }
    throw new IllegalArgumentException("expected a JSON array but found " + this);
  }

  /** This value as a string. */
  default String asString() {
    if (this instanceof Str s) {
      return s.value();
    }
    throw new IllegalArgumentException("expected a JSON string but found " + this);
  }

  /** This value as a number. */
  default double asDouble() {
    if (this instanceof Num n) {
      return n.value();
    }
    throw new IllegalArgumentException("expected a JSON number but found " + this);
  }
}
