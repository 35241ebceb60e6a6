package dev.atelier.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void parsesNestedValuesAndPythonNonFiniteNumbers() {
    JsonValue.Obj o =
        Json.parse(
                "{\"a\": [1, 2.5, -3e2], \"b\": {\"c\": null, \"d\": true},"
                    + " \"min\": -Infinity, \"nan\": NaN, \"s\": \"x\\u00e9\\n\"}")
            .asObject();
    assertThat(o.array("a")).extracting(JsonValue::asDouble).containsExactly(1.0, 2.5, -300.0);
    assertThat(o.object("b").orElseThrow().has("c")).isFalse();
    assertThat(o.object("b").orElseThrow().bool("d", false)).isTrue();
    assertThat(o.number("min", 0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(o.number("nan", 0)).isNaN();
    assertThat(o.string("s", "")).isEqualTo("xé\n");
    assertThat(o.integer("missing", 7)).isEqualTo(7);
  }

  @Test
  void writesWhatItReads() {
    String text = "{\"k\":[1,0.5,\"q\\\"\",false,null],\"e\":{}}";
    assertThat(Json.write(Json.parse(text))).isEqualTo(text);
  }

  @Test
  void writesNonFiniteNumbersAsNullSoStrictParsersAcceptTheText() {
    JsonValue.Obj o =
        new JsonValue.Obj(
            java.util.Map.of(
                "nan",
                new JsonValue.Num(Double.NaN),
                "inf",
                new JsonValue.Num(Double.POSITIVE_INFINITY),
                "ninf",
                new JsonValue.Num(Double.NEGATIVE_INFINITY)));
    String text = Json.write(o);
    assertThat(text).doesNotContain("NaN").doesNotContain("Infinity");
    assertThat(Json.write(new JsonValue.Num(Double.NaN))).isEqualTo("null");
    assertThat(Json.write(new JsonValue.Num(Double.NEGATIVE_INFINITY))).isEqualTo("null");
    JsonValue.Obj back = Json.parse(text).asObject();
    assertThat(back.members().keySet()).containsExactlyInAnyOrder("nan", "inf", "ninf");
    assertThat(back.members().values()).containsOnly(JsonValue.Null.INSTANCE);
  }

  @Test
  void rejectsMalformedTextNamingTheOffset() {
    assertThatThrownBy(() -> Json.parse("{\"a\" 1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid JSON at offset 5: expected ':' but found '1'");
    assertThatThrownBy(() -> Json.parse("[1,]"))
        .hasMessageContaining("expected a value but found ']'");
  }

  @Test
  void typedReadsNameTheKeyOnMismatch() {
    JsonValue.Obj o = Json.parse("{\"steps\": \"four\"}").asObject();
    assertThatThrownBy(() -> o.number("steps", 1))
        .hasMessage("\"steps\" must be a number but was \"four\"");
  }

  @Test
  void nestingPastTheLimitFailsAtTheFirstBracketTooDeepNotWithAStackOverflow() {
    Json.Limits limits = new Json.Limits(64, 64, 1000);
    String deep = "[".repeat(100_000);
    assertThatThrownBy(() -> Json.parse(deep, limits))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JSON nested deeper than 64 levels at offset 64");
    assertThatThrownBy(() -> Json.parse("{\"a\":".repeat(70) + "1" + "}".repeat(70), limits))
        .hasMessage("JSON nested deeper than 64 levels at offset 320");
    // the default is generous for configs, and still no stack overflow far past it
    assertThatThrownBy(() -> Json.parse(deep))
        .hasMessage("JSON nested deeper than 1000 levels at offset 1000");
    String ok = "[".repeat(64) + "]".repeat(64);
    assertThat(Json.parse(ok, limits)).isInstanceOf(JsonValue.Arr.class);
    // depth is nesting, not the count of containers: many siblings at depth 2 are fine
    assertThat(Json.parse("[" + "[],".repeat(500) + "[]]", new Json.Limits(2, 64, 1000)))
        .isInstanceOf(JsonValue.Arr.class);
  }

  @Test
  void numbersAndStringsPastTheirLimitsAreRefusedNamingOffsetAndLimit() {
    Json.Limits limits = new Json.Limits(64, 64, 10);
    assertThatThrownBy(() -> Json.parse("{\"n\": " + "9".repeat(400) + "}", limits))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JSON number longer than 64 characters at offset 6");
    assertThat(Json.parse("[" + "9".repeat(64) + "]", limits)).isInstanceOf(JsonValue.Arr.class);
    assertThatThrownBy(() -> Json.parse("[\"" + "x".repeat(11) + "\"]", limits))
        .hasMessage("JSON string longer than 10 characters at offset 1");
    assertThatThrownBy(() -> Json.parse("{\"" + "k".repeat(11) + "\": 1}", limits))
        .hasMessage("JSON string longer than 10 characters at offset 1");
    assertThat(Json.parse("\"" + "\\u0041".repeat(10) + "\"", limits).asString())
        .isEqualTo("A".repeat(10));
    assertThatThrownBy(() -> new Json.Limits(0, 1, 1)).hasMessageContaining("at least 1");
  }

  @Test
  void numbersFollowRfc8259AndKeepTheirText() {
    for (String bad : new String[] {"01", "1.", ".5", "+1", "1e", "-", "1.e3", "--1", "0x10"}) {
      assertThatThrownBy(() -> Json.parse(bad)).as(bad).hasMessageContaining("invalid JSON");
    }
    JsonValue.Num huge = (JsonValue.Num) Json.parse("1e999999");
    assertThat(huge.value()).isInfinite();
    assertThat(huge.text()).isEqualTo("1e999999");
    assertThat(huge.exactLong()).isEmpty();
    assertThat(((JsonValue.Num) Json.parse("9223372036854775807")).exactLong())
        .contains(Long.MAX_VALUE);
    assertThat(((JsonValue.Num) Json.parse("9223372036854775808")).exactLong()).isEmpty();
    assertThat(((JsonValue.Num) Json.parse("-0")).exactLong()).contains(0L);
    assertThat(((JsonValue.Num) Json.parse("7.0")).exactLong()).contains(7L);
    assertThat(((JsonValue.Num) Json.parse("7e2")).exactLong()).contains(700L);
    assertThat(((JsonValue.Num) Json.parse("7.5")).exactLong()).isEmpty();
    assertThat(((JsonValue.Num) Json.parse("1e-999999")).exactLong()).isEmpty();
    assertThat(((JsonValue.Num) Json.parse("NaN")).exactLong()).isEmpty();
    assertThat(Json.parse("1.0")).isEqualTo(new JsonValue.Num(1));
  }

  @Test
  void failuresNameTheTopLevelMemberBeingRead() {
    Json.Limits limits = new Json.Limits(64, 64, 1000);
    assertThatThrownBy(() -> Json.parse("{\"a\": 1, \"seed\": " + "9".repeat(100) + "}", limits))
        .isInstanceOfSatisfying(
            JsonReadException.class,
            e -> {
              assertThat(e.member()).contains("seed");
              assertThat(e.offset()).isEqualTo(17);
            });
    assertThatThrownBy(() -> Json.parse("{\"refs\": [{\"w\": 01}]}"))
        .isInstanceOfSatisfying(
            JsonReadException.class, e -> assertThat(e.member()).contains("refs"));
    assertThatThrownBy(() -> Json.parse("{\"a\": 1,}"))
        .isInstanceOfSatisfying(JsonReadException.class, e -> assertThat(e.member()).isEmpty());
    assertThatThrownBy(() -> Json.parse("[{\"a\": 01}]"))
        .isInstanceOfSatisfying(JsonReadException.class, e -> assertThat(e.member()).isEmpty());
  }

  @Test
  void unicodeEscapesArePairedSurrogatesAndAsciiHex() {
    assertThat(Json.parse("\"\\ud83d\\ude00\"").asString()).isEqualTo("\ud83d\ude00");
    assertThatThrownBy(() -> Json.parse("\"a\\ud800\""))
        .hasMessage(
            "invalid JSON at offset 8: expected a low surrogate escape after a high surrogate"
                + " but found '\"'");
    assertThatThrownBy(() -> Json.parse("\"\\ud800\\u0041\""))
        .hasMessageContaining("expected a low surrogate escape after a high surrogate");
    assertThatThrownBy(() -> Json.parse("\"x\\udc00\""))
        .hasMessageStartingWith(
            "invalid JSON at offset 2: expected no low surrogate without a high one before it");
    assertThatThrownBy(() -> Json.parse("\"\\u-001\"")).hasMessageContaining("four hex digits");
    assertThatThrownBy(() -> Json.parse("\"\\u\u0663\u0663\u0663\u0663\""))
        .hasMessageContaining("four hex digits");
  }
}
