package dev.atelier.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptMergerTest {

  // The guide's three-round coffee cup iteration (section 01), verbatim.
  private static final String CUP_BASE = "一张俯拍的白色陶瓷咖啡杯,放在深色木桌上,旁边有几颗咖啡豆,柔和侧光,景深效果。";

  @Test
  void rewritesTheReadmesPromptWithTheRoundsFromTo() {
    assertThat(
            PromptMerger.merge(
                "a modern living room with a light grey sofa",
                List.of("change the sofa to deep emerald green, keep everything else unchanged")))
        .isEqualTo("a modern living room with a deep emerald green sofa");
    assertThat(
            PromptMerger.merge(
                "a modern living room with a light grey sofa",
                List.of("change the sofa from light grey to deep emerald green")))
        .isEqualTo("a modern living room with a deep emerald green sofa");
    // A Chinese instruction rewrites an English prompt through the plan's English.
    assertThat(
            PromptMerger.merge(
                "a modern living room with a light grey sofa", List.of("把沙发颜色从浅灰色改为深宝石绿,保持其他完全不变")))
        .isEqualTo("a modern living room with a deep emerald green sofa");
  }

  @Test
  void rewritesAChinesePromptInChinese() {
    assertThat(PromptMerger.merge("一间现代风格的客厅,浅灰色沙发,落地窗", List.of("把沙发颜色从浅灰色改为深宝石绿")))
        .isEqualTo("一间现代风格的客厅，深宝石绿沙发，落地窗");
    // The guide's own base says only 浅色 (light); the colour words before the object go.
    assertThat(PromptMerger.merge("一间现代风格的客厅,浅色沙发,落地窗", List.of("将沙发颜色从浅灰色改为深宝石绿,保持光影和其他家具完全不变")))
        .isEqualTo("一间现代风格的客厅，深宝石绿沙发，落地窗");
  }

  @Test
  void anEditThePromptDoesNotDescribeBecomesADescriptiveClause() {
    assertThat(
            PromptMerger.merge(
                "a modern living room with a light grey sofa", List.of("make the lamp brighter")))
        .isEqualTo("a modern living room with a light grey sofa, with a brighter lamp");
    assertThat(
            PromptMerger.merge(
                "a modern living room with a light grey sofa",
                List.of("make it a watercolor painting")))
        .isEqualTo("a modern living room with a light grey sofa, as a watercolor painting");
    assertThat(PromptMerger.merge("一间现代风格的客厅", List.of("把沙发颜色改为深宝石绿")))
        .isEqualTo("一间现代风格的客厅，深宝石绿的沙发");
  }

  @Test
  void mergesTheGuidesChineseIterationIntoOnePrompt() {
    String merged =
        PromptMerger.merge(
            CUP_BASE, List.of("把杯子颜色改成磨砂墨绿色,其他元素保持不变。", "木桌换成白色大理石桌面,咖啡豆位置和数量保持原样。"));
    assertThat(merged).isEqualTo("一张俯拍的磨砂墨绿色陶瓷咖啡杯，放在白色大理石桌面上，旁边有几颗咖啡豆，柔和侧光，景深效果");
  }

  @Test
  void dropsChineseKeepClausesFromTheGuidesLocalEdits() {
    String merged =
        PromptMerger.merge(
            "一间现代风格的客厅,浅色沙发,落地窗,窗外城市天际线",
            List.of(
                "将沙发颜色从浅灰色改为深宝石绿,保持光影和其他家具完全不变",
                "将墙上的装饰画换成一幅黑白城市建筑摄影,保持画框不变。",
                "移除画面左侧的人物,背景保持完整,填补空缺。",
                "只将模特左手拿的手机从黑色改成银色,衣服纹理、背景大楼、姿势、表情、光影方向全部严格保持不变。"));
    // Objects the prompt does not describe, or named by position, keep the instruction's words.
    assertThat(merged)
        .isEqualTo(
            "一间现代风格的客厅，深宝石绿沙发，落地窗，窗外城市天际线，"
                + "将墙上的装饰画换成一幅黑白城市建筑摄影，移除画面左侧的人物，填补空缺，"
                + "只将模特左手拿的手机从黑色改成银色");
  }

  @Test
  void laterChineseChangesToTheSameThingWin() {
    assertThat(
            PromptMerger.merge(
                "一间现代风格的客厅", List.of("将沙发颜色从浅灰色改为深宝石绿", "在画面右侧加一盆绿植", "请把沙发颜色改成酒红色,其他不变")))
        .isEqualTo("一间现代风格的客厅，酒红色沙发，在画面右侧加一盆绿植");
    // Whole-image style changes share one target, whichever way the image is named.
    assertThat(PromptMerger.merge("一座海边小镇", List.of("将画面整体转换为水彩画风格,笔触柔和,色彩淡雅。", "保持构图不变,改成油画风格")))
        .isEqualTo("一座海边小镇，笔触柔和，色彩淡雅，改成油画风格");
  }

  @Test
  void laterEnglishChangesToTheSameThingWin() {
    assertThat(
            PromptMerger.merge(
                "A modern living room with a light grey sofa",
                List.of("change the sofa to green", "make the sofa emerald")))
        .isEqualTo("A modern living room with an emerald sofa");
    assertThat(
            PromptMerger.merge(
                "A white ceramic coffee cup on a dark wooden table",
                List.of(
                    "make the cup matte dark green, keep everything else unchanged",
                    "replace the table with white marble",
                    "Then replace the table with polished walnut.")))
        .isEqualTo("A matte dark green ceramic coffee cup on a white polished walnut table");
  }

  @Test
  void aLaterChangeKeepsWhatItDoesNotRestate() {
    // "red" restates the colour but not the matte finish, so the finish stays.
    assertThat(
            PromptMerger.merge(
                "a coffee cup", List.of("make the cup matte dark green", "make the cup red")))
        .isEqualTo("a matte red coffee cup");
    // Objects named by position are never rewritten in place: the prompt does not say which.
    assertThat(
            PromptMerger.merge(
                "a room", List.of("make the left sofa green", "make the right sofa red")))
        .isEqualTo("a room, with a green sofa on the left, with a red sofa on the right");
    // The colour named on the object side counts like a colour value.
    assertThat(
            PromptMerger.merge(
                "a room",
                List.of(
                    "change the colour of the sofa to teal", "change the sofa's color to navy")))
        .isEqualTo("a room, with a navy sofa");
  }

  @Test
  void namesForTheWholeImageShareOneTarget() {
    assertThat(
            PromptMerger.merge(
                "a harbour at dawn",
                List.of(
                    "convert the whole image to watercolor style",
                    "turn it into an oil painting style")))
        .isEqualTo("a harbour at dawn, as an oil painting");
  }

  @Test
  void dropsTheGuidesEnglishKeepClauses() {
    assertThat(
            PromptMerger.merge(
                "A cozy living room, floor-to-ceiling windows",
                List.of(
                    "change the sofa from light grey to deep emerald green, keep the lighting and"
                        + " the other furniture strictly unchanged",
                    "add a steaming cup of coffee on the right of the table and keep everything"
                        + " else unchanged",
                    "other elements unchanged",
                    "Please change the title text from blue to red; leave the background as it"
                        + " is")))
        .isEqualTo(
            "A cozy living room, floor-to-ceiling windows, with a deep emerald green sofa, with a"
                + " steaming cup of coffee on the right of the table, with a red title text");
  }

  @Test
  void removesDuplicateClauses() {
    assertThat(
            PromptMerger.merge(
                "Soft side light. A cup on a table, soft  side light",
                List.of("add a croissant", "Add a croissant.", "a cup on a table")))
        .isEqualTo("Soft side light, A cup on a table, with a croissant");
  }

  @Test
  void joinsInTheLanguageOfTheBase() {
    // Chinese base, English instruction: Chinese separators, the instruction's words.
    assertThat(PromptMerger.merge("一只橘猫坐在窗台上", List.of("make the cat wear a red scarf")))
        .isEqualTo("一只橘猫坐在窗台上，make the cat wear a red scarf");
    // English base that quotes a Han character stays English; the Chinese edit is described in
    // English.
    assertThat(
            PromptMerger.merge("A red lantern with the character 福 on it", List.of("在画面右侧加一盆绿植")))
        .isEqualTo("A red lantern with the character 福 on it, with a potted plant on the right");
    // A Chinese base that names a product is still Chinese.
    assertThat(PromptMerger.merge("桌上放着一部 iPhone 手机", List.of("把手机改成银色")))
        .isEqualTo("桌上放着一部 iPhone 银色手机");
  }

  @Test
  void anUploadedImageHasNoBaseAndTheInstructionsDecideTheLanguage() {
    assertThat(PromptMerger.merge("", List.of("把杯子颜色改成磨砂墨绿色,其他元素保持不变。", "木桌换成白色大理石桌面")))
        .isEqualTo("磨砂墨绿色的杯子，木桌换成白色大理石桌面");
    assertThat(
            PromptMerger.merge(
                "",
                List.of("make the cup matte dark green", "replace the table with white marble")))
        .isEqualTo("with a matte dark green cup, with a white marble table");
    assertThat(PromptMerger.merge("", List.of("keep everything else unchanged", "保持其他不变")))
        .isEmpty();
    assertThat(PromptMerger.merge("a cup", List.of())).isEqualTo("a cup");
  }

  @Test
  void leavesOutUndoneAndStructuralRoundsAndSaysWhy() {
    PromptMerger.Merge m =
        PromptMerger.consolidate(
            "a modern living room with a light grey sofa",
            List.of(
                new PromptMerger.Step("rnd_1", "change the sofa to deep emerald green", false),
                new PromptMerger.Step("rnd_2", "make the cup matte dark green", true),
                new PromptMerger.Step(
                    "rnd_3", "turn it into a portrait orientation with three people", false),
                new PromptMerger.Step("rnd_4", "make the lamp brighter", false)));
    assertThat(m.prompt())
        .isEqualTo("a modern living room with a deep emerald green sofa, with a brighter lamp");
    assertThat(m.merged()).containsExactly("rnd_1", "rnd_4");
    assertThat(m.omitted())
        .extracting(PromptMerger.Omitted::roundId)
        .containsExactly("rnd_2", "rnd_3");
    assertThat(m.warnings())
        .containsExactly(
            "round rnd_2 (\"make the cup matte dark green\") was left out of the merged prompt:"
                + " it was undone (it is not on the head's path)",
            "round rnd_3 (\"turn it into a portrait orientation with three people\") was left out"
                + " of the merged prompt: it changes the orientation, a structural change that a"
                + " re-render of the first image cannot make; start a new session with a prompt"
                + " that describes it");
  }

  @Test
  void leavesOutChineseStructuralRounds() {
    PromptMerger.Merge m =
        PromptMerger.consolidate(
            "一间现代风格的客厅,浅灰色沙发",
            List.of(
                new PromptMerger.Step("rnd_1", "改成俯视视角", false),
                new PromptMerger.Step("rnd_2", "把沙发颜色从浅灰色改为深宝石绿", false)));
    assertThat(m.prompt()).isEqualTo("一间现代风格的客厅，深宝石绿沙发");
    assertThat(m.warnings()).singleElement().asString().contains("改成俯视视角", "viewpoint");
  }

  @Test
  void isDeterministic() {
    List<String> edits = List.of("把杯子颜色改成磨砂墨绿色", "木桌换成白色大理石桌面", "在画面右侧加一盆绿植", "把杯子改成哑光红色");
    String first = PromptMerger.merge(CUP_BASE, edits);
    assertThat(PromptMerger.merge(CUP_BASE, edits)).isEqualTo(first);
    // 哑光红色 replaces the colour and finish the first edit wrote.
    assertThat(first)
        .doesNotContain("墨绿")
        .isEqualTo("一张俯拍的哑光红色陶瓷咖啡杯，放在白色大理石桌面上，旁边有几颗咖啡豆，柔和侧光，景深效果，在画面右侧加一盆绿植");
  }

  @Test
  void rejectsNulls() {
    assertThatThrownBy(() -> PromptMerger.merge(null, List.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("basePrompt");
    assertThatThrownBy(() -> PromptMerger.consolidate(null, List.of()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("basePrompt");
  }
}
