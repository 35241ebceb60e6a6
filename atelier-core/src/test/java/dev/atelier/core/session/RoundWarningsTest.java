package dev.atelier.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RoundWarningsTest {

  @Test
  void fourRoundsAreFineAndTheFifthWarns() {
    for (int rounds = 0; rounds <= 4; rounds++) {
      assertThat(RoundWarnings.forRound(rounds, "make the cup matte dark green")).isEmpty();
    }
    assertThat(RoundWarnings.forRound(5, "make the cup matte dark green"))
        .containsExactly(
            "This is edit round 5 since the first image or last restart; images tend to blur and"
                + " shift colour after 3-4 rounds of editing. Consider POST"
                + " /v1/sessions/{id}/restart to re-render from the first image with the"
                + " instructions merged into one prompt.");
  }

  @Test
  void structuralChangesSuggestANewSession() {
    assertThat(RoundWarnings.forRound(1, "改成竖版构图"))
        .containsExactly(
            "The instruction changes the composition, a structural change; round-by-round editing"
                + " suits attribute changes and tends to fail or drift on structure. Consider"
                + " starting a new session with a prompt that describes the new composition.");
  }

  @Test
  void bothWarningsComeInAFixedOrder() {
    assertThat(RoundWarnings.forRound(6, "show it from a bird's-eye view"))
        .hasSize(2)
        .satisfiesExactly(
            first -> assertThat(first).startsWith("This is edit round 6"),
            second -> assertThat(second).startsWith("The instruction changes the viewpoint"));
  }

  @Test
  void rejectsNegativeRoundCounts() {
    assertThatThrownBy(() -> RoundWarnings.forRound(-1, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("roundsSinceRestart must be >= 0 but was -1");
  }

  @Test
  void longInstructionsStayFast() {
    // Each of these took 10-30 s before the patterns' gaps were bounded; now well under 1 s.
    List<String> walls = List.of("add ".repeat(8000), "加一".repeat(10000), "从".repeat(20000) + "改成");
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          for (String wall : walls) {
            assertThat(RoundWarnings.forRound(1, wall)).isEmpty();
            assertThat(PromptMerger.merge(wall, List.of(wall))).isNotEmpty();
          }
        });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "change the composition so the cup sits in the left third | composition",
        "rearrange the furniture around the window | composition",
        "重新构图,把人物放在画面中央 | composition",
        "调整画面布局 | composition",
        "change the image from landscape to portrait | orientation",
        "make it a portrait orientation poster | orientation",
        "change the aspect ratio to 16:9 | orientation",
        "改成横版 | orientation",
        "做成竖版海报 | orientation",
        "画面比例改为9:16 | orientation",
        "add two more people | number of subjects",
        "three cats instead of one | number of subjects",
        "add a person sitting on the sofa | number of subjects",
        "change from a single person to multiple people | number of subjects",
        "增加一个人 | number of subjects",
        "画面里放两只猫 | number of subjects",
        "在沙发上添加一位年轻女孩 | number of subjects",
        "show the cup from above | viewpoint",
        "switch from top-down to eye-level | viewpoint",
        "a bird's-eye view of the street | viewpoint",
        "make it a close-up of the face | viewpoint",
        "use a wide shot | viewpoint",
        "改成俯视角度 | viewpoint",
        "俯拍 | viewpoint",
        "改为仰视 | viewpoint",
        "从侧面拍摄 | viewpoint",
        "脸部特写 | viewpoint",
        "镜头拉远 | viewpoint",
      })
  void detectsStructuralChanges(String instruction, String kind) {
    assertThat(RoundWarnings.structuralChange(instruction)).contains(kind);
    assertThat(RoundWarnings.forRound(1, instruction)).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // The guide's local edits and iteration steps.
        "将沙发颜色从浅灰色改为深宝石绿,保持光影和其他家具完全不变",
        "change the sofa from light grey to deep emerald green, keep the lighting and the other"
            + " furniture strictly unchanged",
        "make the cup matte dark green",
        "replace the table with white marble",
        "把杯子颜色改成磨砂墨绿色,其他元素保持不变。",
        "木桌换成白色大理石桌面,咖啡豆位置和数量保持原样。",
        "把标题文字从蓝色改成红色",
        "在画面右侧加一盆绿植",
        "保持构图不变,改成水彩风格",
        "在桌面右侧添加一杯冒着热气的咖啡,放在木制杯垫上,光影与现有环境匹配。",
        "移除画面左侧的人物,背景保持完整,填补空缺。",
        "将墙上的装饰画换成一幅黑白城市建筑摄影,保持画框不变。",
        "将天空从蓝色改为黄昏的橙紫色渐变,地面光照同步调整为暖色调。",
        "将画面整体转换为水彩画风格,笔触柔和,色彩淡雅。",
        "只将模特左手拿的手机从黑色改成银色,衣服纹理、背景大楼、姿势、表情、光影方向全部严格保持不变。",
        // Near misses: subject words without a count change, portraits as pictures, kept views.
        "make the two people smile",
        "replace the painting with a portrait of a woman",
        "add a cat-shaped mug on the table",
        "在桌上添加一个马克杯",
        "keep the composition and the camera angle, change the wall to brick",
        "add vertical stripes to the shirt",
      })
  void leavesLocalEditsAlone(String instruction) {
    assertThat(RoundWarnings.structuralChange(instruction)).isEmpty();
    assertThat(RoundWarnings.forRound(2, instruction)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void anOrdinalPicksASubjectAndDoesNotCountThem() {
    org.assertj.core.api.Assertions.assertThat(RoundWarnings.structuralChange("把第二只猫改成黑色"))
        .isEmpty();
    org.assertj.core.api.Assertions.assertThat(RoundWarnings.structuralChange("改成两只猫")).isPresent();
  }
}
