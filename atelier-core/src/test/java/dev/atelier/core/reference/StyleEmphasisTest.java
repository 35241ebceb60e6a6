package dev.atelier.core.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.Reference;
import dev.atelier.core.image.RgbImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guide's emphasis for style references, in the prompt's language, added once. */
class StyleEmphasisTest {
  private static final RgbImage IMG = new RgbImage(8, 8, new byte[8 * 8 * 3]);

  private static Reference ref(Reference.Role role, double weight) {
    return new Reference(IMG, role, weight);
  }

  @Test
  void englishPromptsGetTheEnglishSentence() {
    assertThat(
            StyleEmphasis.apply(
                "a cozy reading corner with a green sofa", List.of(ref(Reference.Role.STYLE, 1))))
        .isEqualTo(
            "a cozy reading corner with a green sofa. Strictly follow the style of the reference"
                + " image.");
    assertThat(StyleEmphasis.apply("A poster!", List.of(ref(Reference.Role.STYLE, 0.5))))
        .isEqualTo("A poster! Strictly follow the style of the reference image.");
  }

  @Test
  void chinesePromptsGetTheGuidesWording() {
    assertThat(StyleEmphasis.apply("一张咖啡馆的海报，暖色调", List.of(ref(Reference.Role.STYLE, 1))))
        .isEqualTo("一张咖啡馆的海报，暖色调。严格参考上传图片的风格。");
  }

  @Test
  void nothingIsAddedWithoutAStyleReferenceOrWhenThePromptAlreadySaysIt() {
    String p = "the same character on a beach";
    assertThat(StyleEmphasis.apply(p, List.of(ref(Reference.Role.CHARACTER, 1)))).isEqualTo(p);
    assertThat(StyleEmphasis.apply(p, List.of(ref(Reference.Role.STYLE, 0)))).isEqualTo(p);
    assertThat(StyleEmphasis.apply(p, List.of())).isEqualTo(p);
    String already = "海报，严格参考上传图片的风格";
    assertThat(StyleEmphasis.apply(already, List.of(ref(Reference.Role.STYLE, 1))))
        .isEqualTo(already);
    String saidEn = "Strictly follow the style of the reference image: a cat";
    assertThat(StyleEmphasis.apply(saidEn, List.of(ref(Reference.Role.STYLE, 1))))
        .isEqualTo(saidEn);
  }

  @Test
  void referencesAreValidated() {
    assertThatThrownBy(() -> ref(Reference.Role.STYLE, 1.5))
        .hasMessage("weight must be in 0..1 but was 1.5");
    assertThatThrownBy(() -> Reference.Role.ofWireName("mood"))
        .hasMessage("role must be one of [style, subject, character, object] but was 'mood'");
    assertThat(Reference.Role.ofWireName("character")).isEqualTo(Reference.Role.CHARACTER);
  }
}
