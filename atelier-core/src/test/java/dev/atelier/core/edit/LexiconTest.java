package dev.atelier.core.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.edit.Lexicon.Kind;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LexiconTest {

  private final Lexicon lexicon = Lexicon.bundled();

  @Test
  void bundledLexiconHasSeveralHundredEntriesOfEveryKind() {
    assertThat(lexicon.size()).isGreaterThanOrEqualTo(300);
    Set<Kind> kinds = new HashSet<>();
    lexicon.entries().forEach(e -> kinds.add(e.kind()));
    assertThat(kinds).containsExactlyInAnyOrder(Kind.values());
  }

  @Test
  void mapsChineseToEnglishIncludingShades() {
    assertThat(lexicon.english("深宝石绿")).hasValue("deep emerald green");
    assertThat(lexicon.english("浅灰色")).hasValue("light grey");
    assertThat(lexicon.english("哑光")).hasValue("matte");
    assertThat(lexicon.english("大理石")).hasValue("marble");
    assertThat(lexicon.english("赛博朋克")).hasValue("cyberpunk");
    assertThat(lexicon.english("背景")).hasValue("background");
    assertThat(lexicon.english("独角兽")).isEmpty();
  }

  @Test
  void englishLookupIgnoresCaseArticlesAndPlurals() {
    assertThat(lexicon.lookup("Vases").map(Lexicon.Entry::en)).hasValue("vase");
    assertThat(lexicon.lookup("the Sofas").map(Lexicon.Entry::en)).hasValue("sofa");
    assertThat(lexicon.lookup("strawberries").map(Lexicon.Entry::en)).hasValue("strawberry");
    assertThat(lexicon.lookup("couch").map(Lexicon.Entry::kind)).hasValue(Kind.FURNITURE);
    assertThat(lexicon.lookup("Watercolour").map(Lexicon.Entry::kind)).hasValue(Kind.STYLE);
  }

  @Test
  void everyEntryHasDistinctChineseTermsWithinItsKind() {
    Set<String> seen = new HashSet<>();
    for (Lexicon.Entry e : lexicon.entries()) {
      assertThat(seen.add(e.kind() + "/" + e.zh())).as("duplicate %s", e).isTrue();
    }
  }

  @Test
  void parseNamesTheBadLine() {
    assertThatThrownBy(() -> Lexicon.parse("color\t红色\tred\t\nshade\t绿\tgreen\t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "lexicon line 2 kind must be one of "
                + Arrays.toString(Kind.values())
                + " but was 'shade'");
    assertThatThrownBy(() -> Lexicon.parse("# header\ncolor\t红色"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lexicon line 2 must have kind, zh, en[, aliases] but had: color\t红色");
  }
}
