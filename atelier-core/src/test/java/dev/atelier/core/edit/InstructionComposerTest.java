package dev.atelier.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class InstructionComposerTest {

  @Test
  void composesTheGuidesChineseExample() {
    assertThat(
            InstructionComposer.compose(
                "沙发", "颜色", "深宝石绿", List.of("光影", "其他家具"), "完全", Locale.CHINESE))
        .isEqualTo("将沙发的颜色改为深宝石绿，保持光影和其他家具完全不变");
  }

  @Test
  void composesEnglish() {
    assertThat(
            InstructionComposer.compose(
                "sofa",
                "color",
                "deep emerald green",
                List.of("lighting", "other furniture"),
                "strictly",
                Locale.ENGLISH))
        .isEqualTo(
            "Change the color of the sofa to deep emerald green, keeping the lighting and the"
                + " other furniture strictly unchanged");
  }

  @Test
  void listsThreeItemsAndHandlesMissingParts() {
    assertThat(
            InstructionComposer.compose(
                "模特左手拿的手机", "", "银色", List.of("衣服纹理", "背景大楼", "姿势"), "严格", Locale.CHINA))
        .isEqualTo("将模特左手拿的手机改为银色，保持衣服纹理、背景大楼和姿势严格不变");
    assertThat(InstructionComposer.compose("杯子", "", "磨砂墨绿色", List.of(), "", Locale.CHINESE))
        .isEqualTo("将杯子改为磨砂墨绿色");
    assertThat(InstructionComposer.compose("the cup", "", "matte green", List.of(), "", Locale.UK))
        .isEqualTo("Change the cup to matte green");
    assertThat(
            InstructionComposer.compose(
                "cup", "material", "glass", List.of(), "exactly", Locale.US))
        .isEqualTo(
            "Change the material of the cup to glass, keeping everything else exactly unchanged");
    assertThat(InstructionComposer.compose("杯子", "材质", "玻璃", List.of(), "完全", Locale.CHINESE))
        .isEqualTo("将杯子的材质改为玻璃，其他一切完全不变");
  }

  @Test
  void composedInstructionsPlanBackToTheirFields() {
    EditPlan plan =
        new EditPlanner()
            .plan(
                InstructionComposer.compose(
                    "沙发", "颜色", "深宝石绿", List.of("光影", "其他家具"), "完全", Locale.CHINESE));
    assertThat(plan.target().en()).isEqualTo("sofa");
    assertThat(plan.to()).isEqualTo("deep emerald green");
    assertThat(plan.keep()).containsExactly("lighting", "other furniture");
    assertThat(plan.strict()).isTrue();
    assertThat(plan.warnings()).isEmpty();
  }

  @Test
  void rejectsBlankFieldsAndOtherLanguages() {
    assertThatThrownBy(
            () -> InstructionComposer.compose(" ", "", "red", List.of(), "", Locale.ENGLISH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("what must be a non-blank phrase but was blank");
    assertThatThrownBy(
            () -> InstructionComposer.compose("sofa", "", "", List.of(), "", Locale.ENGLISH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("to must be a non-blank phrase but was blank");
    assertThatThrownBy(
            () -> InstructionComposer.compose("sofa", "", "red", List.of(" "), "", Locale.ENGLISH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keep items must not be blank but found [ ]");
    assertThatThrownBy(
            () -> InstructionComposer.compose("sofa", "", "red", List.of(), "", Locale.FRENCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("language must be Chinese (zh) or English (en) but was 'fr'");
  }
}
