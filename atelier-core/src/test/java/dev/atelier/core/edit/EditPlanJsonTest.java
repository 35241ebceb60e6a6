package dev.atelier.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.edit.EditPlan.Side;
import dev.atelier.core.edit.EditPlan.Target;
import dev.atelier.core.json.Json;
import org.junit.jupiter.api.Test;

/** The wire shape of {@link EditPlan}: keys, order and nulls exactly as the issue specifies. */
class EditPlanJsonTest {

  private final EditPlanner planner = new EditPlanner();

  @Test
  void guideColourEditIsGolden() {
    assertThat(planner.plan("将沙发颜色从浅灰色改为深宝石绿,保持光影和其他家具完全不变").toJson())
        .isEqualTo(
            "{\"operation\":\"recolor\",\"scope\":\"local\",\"target\":{\"text\":\"沙发\","
                + "\"en\":\"sofa\",\"side\":null,\"ordinal\":null},\"attribute\":\"color\","
                + "\"from\":\"light grey\",\"to\":\"deep emerald green\","
                + "\"keep\":[\"lighting\",\"other furniture\"],\"keep_everything_else\":false,\"strict\":true,\"warnings\":[]}");
  }

  @Test
  void unrecognisedStrictInstructionIsGolden() {
    assertThat(planner.plan("严格参考上传图片的风格").toJson())
        .isEqualTo(
            "{\"operation\":\"other\",\"scope\":\"local\",\"target\":{\"text\":\"\",\"en\":\"\","
                + "\"side\":null,\"ordinal\":null},\"attribute\":null,\"from\":null,\"to\":null,"
                + "\"keep\":[],\"keep_everything_else\":false,\"strict\":true,\"warnings\":[\"no target recognised: name the object"
                + " to change or send a mask\",\"strict edit without a keep-list: name what must"
                + " stay unchanged (3W1K's 'what to keep'), e.g. \\\"keep the lighting and the"
                + " other furniture unchanged\\\"\"]}");
  }

  @Test
  void sideAndOrdinalAreWritten() {
    String json = planner.plan("把图片中左侧第二个花瓶改成蓝色").toJson();
    assertThat(Json.parse(json).asObject().object("target").orElseThrow().toString())
        .isEqualTo("{\"text\":\"图片中左侧第二个花瓶\",\"en\":\"vase\",\"side\":\"left\",\"ordinal\":2}");
  }

  @Test
  void jsonRoundTripsThroughTheParser() {
    String json = planner.plan("make it a watercolor painting").toJson();
    assertThat(Json.write(Json.parse(json))).isEqualTo(json);
    assertThat(Json.parse(json).asObject().members().keySet())
        .containsExactly(
            "operation",
            "scope",
            "target",
            "attribute",
            "from",
            "to",
            "keep",
            "keep_everything_else",
            "strict",
            "warnings");
  }

  @Test
  void everythingElseIsTheComplementNotAKeepTarget() {
    assertThat(
            planner
                .plan("change the sofa to deep emerald green, keep everything else unchanged")
                .toJson())
        .isEqualTo(
            "{\"operation\":\"recolor\",\"scope\":\"local\",\"target\":{\"text\":\"sofa\","
                + "\"en\":\"sofa\",\"side\":null,\"ordinal\":null},\"attribute\":\"color\","
                + "\"from\":null,\"to\":\"deep emerald green\",\"keep\":[],"
                + "\"keep_everything_else\":true,\"strict\":true,\"warnings\":[]}");
  }

  @Test
  void targetRejectsNegativeOrdinals() {
    assertThatThrownBy(() -> new Target("x", "x", Side.NONE, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ordinal must be >= 0 but was -1");
  }
}
