package dev.atelier.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void newIdsArePrefixUnderscoreAnd24Base32Chars() {
    for (String prefix : new String[] {"img", "ses", "rnd", "job1"}) {
      String id = Ids.newId(prefix);
      assertThat(id).matches(prefix + "_[a-z2-7]{24}");
      assertThat(Ids.isValid(prefix, id)).isTrue();
    }
  }

  @Test
  void newIdsDoNotRepeat() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(Ids.newId("img"));
    }
    assertThat(ids).hasSize(10_000);
  }

  @Test
  void everyBase32CharacterTurnsUp() {
    // 2000 ids carry 48000 characters; each of the 32 is missing from all of them with
    // probability (31/32)^48000, about 1e-662, so this only fails if the encoding is biased.
    Set<Character> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      for (char c : Ids.newId("x").substring(2).toCharArray()) {
        seen.add(c);
      }
    }
    assertThat(seen).hasSize(32);
  }

  @Test
  void isValidChecksTheExactShape() {
    String good = "img_" + "abcdefghijklmnopqrstuvwx".substring(0, 20) + "2345";
    assertThat(Ids.isValid("img", good)).isTrue();
    assertThat(Ids.isValid("ses", good)).isFalse();
    assertThat(Ids.isValid("im", good)).isFalse();
    assertThat(Ids.isValid("img", good + "a")).isFalse();
    assertThat(Ids.isValid("img", good.substring(0, good.length() - 1))).isFalse();
    assertThat(Ids.isValid("img", good.toUpperCase())).isFalse();
    assertThat(Ids.isValid("img", good.replace('2', '8'))).isFalse();
    assertThat(Ids.isValid("img", good.replace('_', '-'))).isFalse();
    assertThat(Ids.isValid("img", "img_../../../etc/passwd/xx")).isFalse();
    assertThat(Ids.isValid("img", "")).isFalse();
  }

  @Test
  void badPrefixesAreProgrammingErrors() {
    assertThatThrownBy(() -> Ids.newId("Img"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "prefix must be 1-16 lowercase letters or digits starting with a letter but was"
                + " \"Img\"");
    assertThatThrownBy(() -> Ids.newId(""))
        .hasMessage(
            "prefix must be 1-16 lowercase letters or digits starting with a letter but was \"\"");
    assertThatThrownBy(() -> Ids.isValid("img_", "img__aaaaaaaaaaaaaaaaaaaaaaaa"))
        .hasMessage(
            "prefix must be 1-16 lowercase letters or digits starting with a letter but was"
                + " \"img_\"");
  }
}
