package dev.atelier.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plan's warnings and failure modes, with their exact wording. */
class EditPlannerLintTest {

  private final EditPlanner planner = new EditPlanner();

  @Test
  void multipleVariablesSuggestSplitting() {
    assertThat(planner.plan("make the sofa red and change the table to blue").warnings())
        .containsExactly(
            "the instruction changes 2 things at once: change one variable per round and split"
                + " it into 2 instructions, so the rest of the image stays stable");
    assertThat(planner.plan("把沙发改成红色，把墙换成木质，再把地毯去掉").warnings())
        .containsExactly(
            "the instruction changes 3 things at once: change one variable per round and split"
                + " it into 3 instructions, so the rest of the image stays stable");
  }

  @Test
  void harmonisingClausesAreNotExtraVariables() {
    assertThat(planner.plan("将天空从蓝色改为黄昏的橙紫色渐变,地面光照同步调整为暖色调。").warnings()).isEmpty();
  }

  @Test
  void strictEditWithoutKeepListWarns() {
    assertThat(planner.plan("strictly change the sofa to red").warnings())
        .containsExactly(
            "strict edit without a keep-list: name what must stay unchanged (3W1K's 'what to"
                + " keep'), e.g. \"keep the lighting and the other furniture unchanged\"");
    assertThat(planner.plan("严格地把沙发改成红色，保持背景不变").warnings()).isEmpty();
  }

  @Test
  void structuralChangeSuggestsANewSession() {
    assertThat(planner.plan("change it to a portrait orientation").warnings())
        .containsExactly(
            "structural change (orientation): round-by-round editing suits attributes, not"
                + " structure; start a new session with a prompt that describes the new"
                + " orientation");
  }

  @Test
  void ordinalsAreNotCountedAsMoreSubjects() {
    assertThat(planner.plan("把右边第二只猫的颜色改成橘色").warnings()).isEmpty();
  }

  @Test
  void lexiconMissAsksForEnglishOrAMask() {
    EditPlan plan = planner.plan("把貔貅换成石狮子");
    assertThat(plan.target().en()).isEqualTo("貔貅");
    assertThat(plan.warnings())
        .containsExactly("no English for \"貔貅\" in \"貔貅\": rephrase it in English or send a mask");
  }

  @Test
  void translatorFillsLexiconMisses() {
    List<String> asked = new ArrayList<>();
    Translator translator =
        phrase -> {
          asked.add(phrase);
          return phrase.equals("貔貅") ? Optional.of("Pixiu statues") : Optional.empty();
        };
    EditPlan plan = new EditPlanner(Lexicon.bundled(), translator).plan("把貔貅换成石狮子");
    assertThat(asked).containsExactly("貔貅");
    assertThat(plan.target().en()).isEqualTo("pixiu statue");
    assertThat(plan.warnings()).isEmpty();
    assertThat(Translator.NONE.toEnglish("貔貅")).isEmpty();
  }

  @Test
  void unrecognisedTextPlansAsOther() {
    EditPlan plan = planner.plan("🙂🙂🙂");
    assertThat(plan.operation()).isEqualTo(EditPlan.Operation.OTHER);
    assertThat(plan.target()).isEqualTo(EditPlan.Target.NONE);
    assertThat(plan.warnings())
        .containsExactly("no target recognised: name the object to change or send a mask");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\n\t "})
  void emptyInstructionIsRejected(String instruction) {
    assertThatThrownBy(() -> planner.plan(instruction))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("instruction must not be empty");
  }

  @Test
  void longInstructionsStayFast() {
    List<String> walls =
        List.of(
            "add ".repeat(8000),
            "加一".repeat(10000),
            "从".repeat(20000) + "改成",
            "make the " + "red ".repeat(5000));
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          for (String wall : walls) {
            assertThat(planner.plan(wall)).isNotNull();
          }
        });
  }
}
