package dev.atelier.core.edit;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What one natural-language edit instruction asks for, in the guide's 3W1K terms: what to change
 * ({@link #target()}), which attribute and to what ({@link #attribute()}, {@link #from()}, {@link
 * #to()}), what to keep ({@link #keep()}) and the key constraint ({@link #strict()}).
 *
 * <p>English fields ({@code target.en}, {@code from}, {@code to}, {@code keep}) are meant for a
 * grounding or editing model; {@code target.text} is the target as the user wrote it. Absent values
 * are empty strings, {@link Side#NONE}, {@link Attribute#NONE} or ordinal 0, never {@code null};
 * {@link #toJson()} writes them as JSON {@code null}.
 *
 * @param operation the kind of edit
 * @param scope whether the edit touches one region or the whole image
 * @param target the region or object to change; for {@link Operation#ADD}, where to add
 * @param attribute the attribute that changes
 * @param from the old value in English, {@code ""} when the instruction does not name it
 * @param to the new value in English (verbatim for text edits), {@code ""} when none
 * @param keep the elements that must stay unchanged, in English, in the order written; never
 *     "everything else" and the like, which {@code keepEverythingElse} records instead
 * @param keepEverythingElse whether the instruction asks to keep everything outside the target
 *     ("keep everything else unchanged", "其他保持不变", "其余不变"): the complement of the region, not a
 *     region to keep, so it is never grounded and can never swallow the target; a local edit
 *     preserves every pixel outside its region in any case
 * @param strict whether the instruction demands that everything else is preserved exactly
 * @param warnings advice for the user, in a fixed order
 */
public record EditPlan(
    Operation operation,
    Scope scope,
    Target target,
    Attribute attribute,
    String from,
    String to,
    List<String> keep,
    boolean keepEverythingElse,
    boolean strict,
    List<String> warnings) {

  /** The kinds of edit, named as on the wire. */
  public enum Operation {
    /** Change an object's colour, or the whole image's colour grade. */
    RECOLOR,
    /** Swap an object for another, or change its shape. */
    REPLACE,
    /** Add an object at a place. */
    ADD,
    /** Remove an object and fill the gap. */
    REMOVE,
    /** Change the rendering style, locally or of the whole image. */
    RESTYLE,
    /** Change what an object is made of or its surface finish. */
    MATERIAL,
    /** Change written text in the image. */
    TEXT,
    /** Change the lighting. */
    RELIGHT,
    /** Nothing recognised. */
    OTHER;

    /** The lowercase wire name, e.g. {@code "recolor"}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How much of the image an edit touches. */
  public enum Scope {
    /** One object or region. */
    LOCAL,
    /** The whole image (style, colour grade, lighting). */
    GLOBAL;

    /** The lowercase wire name. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where in the image, or on the subject, a target sits. */
  public enum Side {
    LEFT,
    RIGHT,
    TOP,
    BOTTOM,
    CENTER,
    /** No position named; written as JSON {@code null}. */
    NONE;

    /** The lowercase wire name; {@code null} only for {@link #NONE}, used when writing JSON. */
    String wireNameOrNull() {
      return this == NONE ? null : name().toLowerCase(Locale.ROOT);
    }
  }

  /** The attribute an edit changes. */
  public enum Attribute {
    COLOR,
    MATERIAL,
    STYLE,
    TEXT,
    SHAPE,
    /** The object itself: added, removed or replaced. */
    OBJECT,
    LIGHTING,
    /** No attribute recognised; written as JSON {@code null}. */
    NONE;

    /** The lowercase wire name; {@code null} only for {@link #NONE}, used when writing JSON. */
    String wireNameOrNull() {
      return this == NONE ? null : name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The object or region an edit acts on.
   *
   * @param text the target phrase as written in the instruction, {@code ""} when none
   * @param en the target in English without its position words, {@code ""} when none
   * @param side the position named in the instruction, {@link Side#NONE} when none
   * @param ordinal 1-based position among like objects ("the second vase"), 0 when none
   */
  public record Target(String text, String en, Side side, int ordinal) {
    /** The empty target of an instruction whose object was not recognised. */
    public static final Target NONE = new Target("", "", Side.NONE, 0);

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when {@code ordinal} is negative
     */
    public Target {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(en, "en");
      Objects.requireNonNull(side, "side");
      if (ordinal < 0) {
        throw new IllegalArgumentException("ordinal must be >= 0 but was " + ordinal);
      }
    }

    JsonValue toJsonValue() {
      Map<String, JsonValue> m = new LinkedHashMap<>();
      m.put("text", new JsonValue.Str(text));
      m.put("en", new JsonValue.Str(en));
      m.put("side", stringOrNull(side.wireNameOrNull()));
      m.put("ordinal", ordinal == 0 ? JsonValue.Null.INSTANCE : new JsonValue.Num(ordinal));
      return new JsonValue.Obj(m);
    }
  }

  /**
   * A plan whose instruction does not ask to keep everything else ({@code keepEverythingElse}
   * false).
   */
  public EditPlan(
      Operation operation,
      Scope scope,
      Target target,
      Attribute attribute,
      String from,
      String to,
      List<String> keep,
      boolean strict,
      List<String> warnings) {
    this(operation, scope, target, attribute, from, to, keep, false, strict, warnings);
  }

  /**
   * Validates and copies the lists.
   *
   * @throws IllegalArgumentException when a keep item or warning is blank
   */
  public EditPlan {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(attribute, "attribute");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    keep = List.copyOf(keep);
    warnings = List.copyOf(warnings);
    for (String item : keep) {
      if (item.isBlank()) {
        throw new IllegalArgumentException("keep items must not be blank but found " + keep);
      }
    }
    for (String warning : warnings) {
      if (warning.isBlank()) {
        throw new IllegalArgumentException("warnings must not be blank but found " + warnings);
      }
    }
  }

  /**
   * The plan as compact JSON with the keys {@code operation, scope, target, attribute, from, to,
   * keep, keep_everything_else, strict, warnings} in that order; absent values are JSON {@code
   * null}.
   */
  public String toJson() {
    return Json.write(toJsonValue());
  }

  /** The plan as a JSON tree, keys in wire order. */
  public JsonValue.Obj toJsonValue() {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("operation", new JsonValue.Str(operation.wireName()));
    m.put("scope", new JsonValue.Str(scope.wireName()));
    m.put("target", target.toJsonValue());
    m.put("attribute", stringOrNull(attribute.wireNameOrNull()));
    m.put("from", stringOrNull(from.isEmpty() ? null : from));
    m.put("to", stringOrNull(to.isEmpty() ? null : to));
    m.put("keep", strings(keep));
    m.put("keep_everything_else", new JsonValue.Bool(keepEverythingElse));
    m.put("strict", new JsonValue.Bool(strict));
    m.put("warnings", strings(warnings));
    return new JsonValue.Obj(m);
  }

  private static JsonValue stringOrNull(String s) {
    return s == null ? JsonValue.Null.INSTANCE : new JsonValue.Str(s);
  }

  private static JsonValue strings(List<String> items) {
    List<JsonValue> values = new ArrayList<>(items.size());
    for (String item : items) {
      values.add(new JsonValue.Str(item));
    }
    return new JsonValue.Arr(values);
  }
}
