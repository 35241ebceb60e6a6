package dev.atelier.core.edit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.edit.EditPlan.Attribute;
import dev.atelier.core.edit.EditPlan.Operation;
import dev.atelier.core.edit.EditPlan.Scope;
import dev.atelier.core.edit.EditPlan.Side;
import dev.atelier.core.edit.EditPlan.Target;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case in {@code planner-cases.tsv}: add a line there to add a case. Each line asserts
 * every field of the plan, warnings included (as codes expanded through {@link Lint}).
 */
class EditPlannerTableTest {

  private static final EditPlanner PLANNER = new EditPlanner();

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> out = new ArrayList<>();
    for (String line : lines()) {
      String[] c = line.split("\t", -1);
      if (c.length != 13) {
        throw new IllegalStateException(
            "a case needs 13 columns but had " + c.length + ": " + line);
      }
      EditPlan expected =
          new EditPlan(
              Operation.valueOf(c[1].toUpperCase(Locale.ROOT)),
              Scope.valueOf(c[2].toUpperCase(Locale.ROOT)),
              new Target(
                  absent(c[3]),
                  absent(c[4]),
                  c[5].equals("-") ? Side.NONE : Side.valueOf(c[5].toUpperCase(Locale.ROOT)),
                  c[6].equals("-") ? 0 : Integer.parseInt(c[6])),
              c[7].equals("-") ? Attribute.NONE : Attribute.valueOf(c[7].toUpperCase(Locale.ROOT)),
              absent(c[8]),
              absent(c[9]),
              keepItems(c[10]),
              list(c[10]).contains(EVERYTHING_ELSE),
              Boolean.parseBoolean(c[11]),
              list(c[12]).stream().map(EditPlannerTableTest::warning).toList());
      out.add(Arguments.of(c[0], expected));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plansAsTabled(String instruction, EditPlan expected) {
    EditPlan plan = PLANNER.plan(instruction);
    assertThat(plan.operation()).as("operation").isEqualTo(expected.operation());
    assertThat(plan.scope()).as("scope").isEqualTo(expected.scope());
    assertThat(plan.target()).as("target").isEqualTo(expected.target());
    assertThat(plan.attribute()).as("attribute").isEqualTo(expected.attribute());
    assertThat(plan.from()).as("from").isEqualTo(expected.from());
    assertThat(plan.to()).as("to").isEqualTo(expected.to());
    assertThat(plan.keep()).as("keep").isEqualTo(expected.keep());
    assertThat(plan.keepEverythingElse())
        .as("keep everything else")
        .isEqualTo(expected.keepEverythingElse());
    assertThat(plan.strict()).as("strict").isEqualTo(expected.strict());
    assertThat(plan.warnings()).as("warnings").isEqualTo(expected.warnings());
    assertThat(plan).isEqualTo(expected);
  }

  @Test
  void tableIsLargeAndBilingual() throws IOException {
    List<String> instructions = lines().stream().map(l -> l.split("\t", -1)[0]).toList();
    assertThat(instructions).hasSizeGreaterThanOrEqualTo(80).doesNotHaveDuplicates();
    assertThat(instructions.stream().filter(PlannerText::isChinese).count())
        .isGreaterThanOrEqualTo(40);
  }

  @Test
  void tableHoldsEveryEditPromptOfTheGuide() throws IOException {
    List<String> instructions = lines().stream().map(l -> l.split("\t", -1)[0]).toList();
    assertThat(instructions)
        .contains(
            "把杯子颜色改成磨砂墨绿色,其他元素保持不变。",
            "木桌换成白色大理石桌面,咖啡豆位置和数量保持原样。",
            "把标题文字从蓝色改成红色",
            "在画面右侧加一盆绿植",
            "保持构图不变,改成水彩风格",
            "将沙发颜色从浅灰色改为深宝石绿,保持光影和其他家具完全不变",
            "在桌面右侧添加一杯冒着热气的咖啡,放在木制杯垫上,光影与现有环境匹配。",
            "移除画面左侧的人物,背景保持完整,填补空缺。",
            "将墙上的装饰画换成一幅黑白城市建筑摄影,保持画框不变。",
            "将天空从蓝色改为黄昏的橙紫色渐变,地面光照同步调整为暖色调。",
            "将画面整体转换为水彩画风格,笔触柔和,色彩淡雅。",
            "只将模特左手拿的手机从黑色改成银色,衣服纹理、背景大楼、姿势、表情、光影方向全部严格保持不变。",
            "图片中左侧第二个花瓶",
            "其他一切不变",
            "参考这张人物照片,生成他在海滩度假的场景,保持面部特征、发型和体型不变。",
            "严格参考上传图片的风格");
  }

  private static List<String> lines() throws IOException {
    try (InputStream in = EditPlannerTableTest.class.getResourceAsStream("planner-cases.tsv")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }
  }

  /** The keep cell's marker for {@link EditPlan#keepEverythingElse()}; not a keep item. */
  private static final String EVERYTHING_ELSE = "(everything else)";

  private static List<String> keepItems(String cell) {
    return list(cell).stream().filter(item -> !item.equals(EVERYTHING_ELSE)).toList();
  }

  private static String absent(String cell) {
    return cell.equals("-") ? "" : cell;
  }

  private static List<String> list(String cell) {
    return cell.equals("-") ? List.of() : Arrays.asList(cell.split("\\|"));
  }

  private static String warning(String code) {
    int colon = code.indexOf(':');
    String arg = colon < 0 ? "" : code.substring(colon + 1);
    return switch (colon < 0 ? code : code.substring(0, colon)) {
      case "notarget" -> Lint.NO_TARGET;
      case "nokeep" -> Lint.STRICT_WITHOUT_KEEP;
      case "miss" ->
          Lint.lexiconMiss(arg.substring(0, arg.indexOf('@')), arg.substring(arg.indexOf('@') + 1));
      case "multi" -> Lint.multipleVariables(Integer.parseInt(arg));
      case "structural" -> Lint.structural(arg);
      default -> throw new IllegalStateException("unknown warning code " + code);
    };
  }
}
