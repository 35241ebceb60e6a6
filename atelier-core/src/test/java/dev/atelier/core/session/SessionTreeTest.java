package dev.atelier.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionTreeTest {

  private static final Instant T0 = Instant.parse("2026-04-01T10:00:00Z");

  // r1 (CREATE) -> r2 -> r3 -> r4, and a branch r2 -> r5; r6 restarts from r4, r7 edits r6.
  private static final List<Round> ROUNDS =
      List.of(
          round("r1", "", Round.Kind.CREATE, "一张俯拍的白色陶瓷咖啡杯,放在深色木桌上", 0),
          round("r2", "r1", Round.Kind.EDIT, "把杯子颜色改成磨砂墨绿色,其他元素保持不变。", 1),
          round("r3", "r2", Round.Kind.EDIT, "木桌换成白色大理石桌面,咖啡豆位置和数量保持原样。", 2),
          round("r4", "r3", Round.Kind.EDIT, "在画面右侧加一盆绿植", 3),
          round("r5", "r2", Round.Kind.EDIT, "make the cup matte dark green", 2),
          round("r6", "", Round.Kind.RESTART, "merged", 0),
          round("r7", "r6", Round.Kind.EDIT, "把标题文字从蓝色改成红色", 1));

  private static Round round(String id, String parent, Round.Kind kind, String text, int since) {
    Map<String, String> params =
        kind == Round.Kind.RESTART ? Map.of("consolidated_from", "r4") : Map.of();
    return new Round(id, "ses_1", parent, kind, "img_" + id, text, params, since, T0);
  }

  private static SessionTree tree(String head) {
    return new SessionTree(new Session("ses_1", T0, head, ROUNDS));
  }

  private static List<String> ids(List<Round> rounds) {
    return rounds.stream().map(Round::id).toList();
  }

  @Test
  void pathRunsFromTheRootToTheRound() {
    SessionTree tree = tree("r4");
    assertThat(ids(tree.path("r4"))).containsExactly("r1", "r2", "r3", "r4");
    assertThat(ids(tree.path("r5"))).containsExactly("r1", "r2", "r5");
    assertThat(ids(tree.path("r1"))).containsExactly("r1");
  }

  @Test
  void aRestartStartsAChainOfItsOwn() {
    SessionTree tree = tree("r7");
    assertThat(ids(tree.path("r7"))).containsExactly("r6", "r7");
    assertThat(ids(tree.path("r6"))).containsExactly("r6");
  }

  @Test
  void aRestartIsARootEvenWhenAStoreRecordedItsParent() {
    List<Round> rounds = new ArrayList<>(ROUNDS);
    rounds.set(5, round("r6", "r4", Round.Kind.RESTART, "merged", 0));
    SessionTree tree = new SessionTree(new Session("ses_1", T0, "r6", rounds));
    assertThat(ids(tree.path("r7"))).containsExactly("r6", "r7");
    assertThat(tree.undoTarget()).isEmpty();
    assertThat(ids(tree.children("r4"))).isEmpty();
  }

  @Test
  void undoMovesToTheHeadsParent() {
    assertThat(tree("r4").undoTarget()).map(Round::id).contains("r3");
    assertThat(tree("r5").undoTarget()).map(Round::id).contains("r2");
    assertThat(tree("r7").undoTarget()).map(Round::id).contains("r6");
  }

  @Test
  void thereIsNothingToUndoAtARoot() {
    assertThat(tree("r1").undoTarget()).isEmpty();
    assertThat(tree("r6").undoTarget()).isEmpty();
  }

  @Test
  void childrenAreTheBranchesInCreationOrder() {
    SessionTree tree = tree("r4");
    assertThat(ids(tree.children("r2"))).containsExactly("r3", "r5");
    assertThat(ids(tree.children("r1"))).containsExactly("r2");
    assertThat(ids(tree.children("r4"))).isEmpty();
    assertThat(ids(tree.children("r6"))).containsExactly("r7");
  }

  @Test
  void firstImageRoundIsTheCreateRound() {
    assertThat(tree("r7").firstImageRound().id()).isEqualTo("r1");
  }

  @Test
  void unknownRoundsAreRejectedByName() {
    SessionTree tree = tree("r4");
    assertThat(tree.requireRound("r3").instruction()).startsWith("木桌");
    assertThatThrownBy(() -> tree.requireRound("rnd_missing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected a round of session ses_1 but found no round with id rnd_missing");
    assertThatThrownBy(() -> tree.path("nope"))
        .hasMessage("expected a round of session ses_1 but found no round with id nope");
    assertThatThrownBy(() -> tree.children("nope"))
        .hasMessage("expected a round of session ses_1 but found no round with id nope");
  }

  @Test
  void corruptTreesFailAsState() {
    List<Round> orphan =
        List.of(
            round("r1", "", Round.Kind.CREATE, "a cup", 0),
            round("r2", "gone", Round.Kind.EDIT, "make it red", 1));
    SessionTree broken = new SessionTree(new Session("ses_2", T0, "r2", orphan));
    assertThatThrownBy(() -> broken.path("r2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("session ses_2 has no round gone (parent of r2)");

    List<Round> cycle =
        List.of(round("a", "b", Round.Kind.EDIT, "x", 1), round("b", "a", Round.Kind.EDIT, "y", 1));
    SessionTree looping = new SessionTree(new Session("ses_3", T0, "a", cycle));
    assertThatThrownBy(() -> looping.path("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("session ses_3 has a parent cycle through round a");
    assertThatThrownBy(looping::firstImageRound)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("session ses_3 has no CREATE round");
  }

  @Test
  void editInstructionsFeedTheMergerFromThePathRoot() {
    SessionTree tree = tree("r4");
    List<Round> path = tree.path("r4");
    List<String> edits = tree.editInstructions("r4");
    assertThat(edits).hasSize(3).first().asString().startsWith("把杯子");
    assertThat(PromptMerger.merge(path.get(0).instruction(), edits))
        .isEqualTo("一张俯拍的磨砂墨绿色陶瓷咖啡杯，放在白色大理石桌面上，在画面右侧加一盆绿植");
    assertThat(tree.editInstructions("r6")).isEmpty();
  }
}
