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
}
