package dev.atelier.core.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes JSON text.
 *
 * <p>Reading is strict RFC 8259 plus the three non-finite literals Python emits ({@code NaN},
 * {@code Infinity}, {@code -Infinity}), because diffusers' configs contain them. Writing produces
 * compact RFC 8259 JSON with keys in insertion order and never emits those literals: a non-finite
 * number is written as {@code null}, so that every strict parser (browsers' {@code JSON.parse},
 * Jackson, OpenAI's SDKs) reads what the server answers. Callers that can produce a non-finite
 * value should decide what it means and write {@code null} themselves (for example "not
 * measurable"); the writer's mapping is the safety net, not the contract.
 */
public final class Json {
  /**
   * How much one document may hold, checked while reading, so that hostile text fails fast with a
   * message instead of exhausting the stack or the heap.
   *
   * @param depth the deepest nesting of arrays and objects (a top-level {@code []} is depth 1)
   * @param numberChars the longest number token, sign and exponent included
   * @param stringChars the longest string value or member name, in UTF-16 units after unescaping
   */
  public record Limits(int depth, int numberChars, int stringChars) {
    /**
     * Generous bounds for files and answers Atelier reads itself (model configs, tokenizers, an
     * upstream's base64 images): deep enough for any real config and shallow enough for the stack
     * of any thread; numbers as long as Jackson's default allows; strings bounded only by memory.
     */
    public static final Limits DEFAULT = new Limits(1000, 1000, Integer.MAX_VALUE);

    /**
     * Validates the bounds.
     *
     * @throws IllegalArgumentException naming the first bound below 1
     */
    public Limits {
      if (depth < 1 || numberChars < 1 || stringChars < 1) {
        throw new IllegalArgumentException(
            "JSON limits must be at least 1 but were depth "
                + depth
                + ", numberChars "
                + numberChars
                + ", stringChars "
                + stringChars);
      }
    }
  }

  private final String text;
  private final Limits limits;
  private int pos;
  private int depth;

  /** The top-level object's member whose value is being read, for errors; null outside one. */
  private String member;

  private Json(String text, Limits limits) {
    this.text = text;
    this.limits = limits;
  }

  /**
   * Parses one JSON document. An object may not repeat a member name: RFC 8259 leaves the meaning
   * of duplicates open, and a request whose {@code n} is both 11 and 1 has no honest reading.
   *
   * <p>Reads within {@link Limits#DEFAULT}; text from a client should go through {@link
   * #parse(String, Limits)} with tighter bounds.
   *
   * @throws JsonReadException when the text is not JSON, repeats a member or exceeds the default
   *     limits, naming the offset
   */
  public static JsonValue parse(String text) {
    return parse(text, Limits.DEFAULT);
  }

  /**
   * Parses one JSON document within {@code limits}. Nesting is counted as it opens, so a document
   * of 100,000 {@code [} fails at the first one past the limit, not with a stack overflow.
   *
   * @throws JsonReadException when the text is not JSON or repeats a member, naming the offset, or
   *     when it exceeds a limit, naming the limit and the offset where it was exceeded ("JSON
   *     nested deeper than 64 levels at offset 64")
   */
  public static JsonValue parse(String text, Limits limits) {
    java.util.Objects.requireNonNull(limits, "limits");
    Json p = new Json(text, limits);
    p.skipSpace();
    JsonValue v = p.value();
    p.skipSpace();
    if (p.pos != text.length()) {
      throw p.error("end of input");
    }
    return v;
  }

  /**
   * Compact JSON for {@code value}; NaN and infinite numbers are written as {@code null} (JSON has
   * no such numbers), so {@code parse(write(v))} turns them into JSON null.
   */
  public static String write(JsonValue value) {
    StringBuilder sb = new StringBuilder();
    write(value, sb);
    return sb.toString();
  }

  /** A JSON string literal (with quotes) for {@code s}. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    quote(s, sb);
    return sb.toString();
  }

  private static void write(JsonValue value, StringBuilder sb) {
    switch (value) {
      case JsonValue.Obj o -> {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          quote(e.getKey(), sb);
          sb.append(':');
          write(e.getValue(), sb);
        }
        sb.append('}');
      }
      case JsonValue.Arr a -> {
        sb.append('[');
        for (int i = 0; i < a.items().size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          write(a.items().get(i), sb);
        }
        sb.append(']');
      }
      case JsonValue.Str s -> quote(s.value(), sb);
      case JsonValue.Num n -> sb.append(formatNumber(n.value()));
      case JsonValue.Bool b -> sb.append(b.value());
      case JsonValue.Null ignored -> sb.append("null");
    }
  }

  private static String formatNumber(double d) {
    if (!Double.isFinite(d)) {
      // RFC 8259 has no NaN or Infinity; strict clients reject the whole body if we write them.
      return "null";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private JsonValue value() {
    if (pos >= text.length()) {
      throw error("a value");
    }
    char c = text.charAt(pos);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> new JsonValue.Str(string());
      case 't' -> literal("true", new JsonValue.Bool(true));
      case 'f' -> literal("false", new JsonValue.Bool(false));
      case 'n' -> literal("null", JsonValue.Null.INSTANCE);
      case 'N' -> literal("NaN", new JsonValue.Num(Double.NaN));
      case 'I' -> literal("Infinity", new JsonValue.Num(Double.POSITIVE_INFINITY));
      default -> {
        if (c == '-' && text.startsWith("-Infinity", pos)) {
          yield literal("-Infinity", new JsonValue.Num(Double.NEGATIVE_INFINITY));
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("a value");
      }
    };
  }

  private JsonValue literal(String word, JsonValue v) {
    if (!text.startsWith(word, pos)) {
      throw error("'" + word + "'");
    }
    pos += word.length();
    return v;
  }

  private void enter() {
    if (++depth > limits.depth()) {
      throw fail(pos, "JSON nested deeper than " + limits.depth() + " levels at offset " + pos);
    }
  }

  private JsonValue.Obj object() {
    enter();
    pos++;
    Map<String, JsonValue> members = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      pos++;
      depth--;
      return new JsonValue.Obj(members);
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("a string key");
      }
      int keyAt = pos;
      String key = string();
      skipSpace();
      expect(':');
      skipSpace();
      if (depth == 1) {
        member = key;
      }
      JsonValue value = value();
      if (depth == 1) {
        member = null;
      }
      if (members.put(key, value) != null) {
        throw fail(
            keyAt, "invalid JSON at offset " + keyAt + ": member '" + key + "' appears twice");
      }
      skipSpace();
      char c = peek();
      pos++;
      if (c == '}') {
        depth--;
        return new JsonValue.Obj(members);
      }
      if (c != ',') {
        pos--;
        throw error("',' or '}'");
      }
    }
  }

  private JsonValue.Arr array() {
    enter();
    pos++;
    List<JsonValue> items = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      pos++;
      depth--;
      return new JsonValue.Arr(items);
    }
    while (true) {
      skipSpace();
      items.add(value());
      skipSpace();
      char c = peek();
      pos++;
      if (c == ']') {
        depth--;
        return new JsonValue.Arr(items);
      }
      if (c != ',') {
        pos--;
        throw error("',' or ']'");
      }
    }
  }

  private String string() {
    int start = pos;
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("a closing quote");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (sb.length() >= limits.stringChars()) {
        throw fail(
            start,
            "JSON string longer than " + limits.stringChars() + " characters at offset " + start);
      }
      if (c == '\\') {
        if (pos >= text.length()) {
          throw error("an escape");
        }
        char e = text.charAt(pos++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'u' -> {
            char u = hex4();
            if (Character.isHighSurrogate(u)) {
              // RFC 8259 8.2: an unpaired surrogate is not a character; no UTF-8 writer can keep
              // it.
              if (!text.startsWith("\\u", pos)) {
                throw error("a low surrogate escape after a high surrogate");
              }
              pos += 2;
              char low = hex4();
              if (!Character.isLowSurrogate(low)) {
                pos -= 6;
                throw error("a low surrogate escape after a high surrogate");
              }
              sb.append(u).append(low);
            } else if (Character.isLowSurrogate(u)) {
              pos -= 6;
              throw error("no low surrogate without a high one before it");
            } else {
              sb.append(u);
            }
          }
          default -> {
            pos--;
            throw error("a valid escape");
          }
        }
      } else if (c < 0x20) {
        pos--;
        throw error("no control characters in a string");
      } else {
        sb.append(c);
      }
    }
  }

  private JsonValue.Num number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    while (pos < text.length() && "0123456789+-.eE".indexOf(text.charAt(pos)) >= 0) {
      pos++;
      if (pos - start > limits.numberChars()) {
        throw fail(
            start,
            "JSON number longer than " + limits.numberChars() + " characters at offset " + start);
      }
    }
    String token = text.substring(start, pos);
    if (!NUMBER.matcher(token).matches()) {
      pos = start;
      throw error("a number");
    }
    return new JsonValue.Num(Double.parseDouble(token), token);
  }

  /** The four ASCII hex digits of a unicode escape at {@code pos}, which moves past them. */
  private char hex4() {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      char c = pos + i < text.length() ? text.charAt(pos + i) : 'x';
      int d = c < 128 ? Character.digit(c, 16) : -1;
      if (d < 0) {
        throw error("four hex digits");
      }
      v = v * 16 + d;
    }
    pos += 4;
    return (char) v;
  }

  /** RFC 8259's number grammar: no leading zeros, no bare dot, no {@code +} sign, no hex. */
  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  private void expect(char c) {
    if (peek() != c) {
      throw error("'" + c + "'");
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipSpace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        pos++;
      } else {
        break;
      }
    }
  }

  private JsonReadException error(String expected) {
    String found = pos < text.length() ? "'" + text.charAt(pos) + "'" : "end of input";
    return fail(
        pos, "invalid JSON at offset " + pos + ": expected " + expected + " but found " + found);
  }

  private JsonReadException fail(int offset, String message) {
    return new JsonReadException(message, offset, member);
  }
}
