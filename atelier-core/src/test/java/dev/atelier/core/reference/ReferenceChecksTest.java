package dev.atelier.core.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.Reference;
import dev.atelier.core.Reference.Role;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.GroundingQuery;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.core.edit.Region;
import dev.atelier.core.image.Box;
import dev.atelier.core.image.Mask;
import dev.atelier.core.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The guide's reference-image checklist as warnings, in the prompt's language. */
class ReferenceChecksTest {
  private static final RgbImage LARGE = image(1024, 768);

  /** The guide's style-reference prompt. */
  private static final String POSTER_ZH = "生成一张咖啡馆海报,文字内容:'COFFEE & CODE',风格参考上传的图片";

  /** The guide's character-reference prompt. */
  private static final String BEACH_ZH = "参考这张人物照片,生成他在海滩度假的场景,保持面部特征、发型和体型不变。";

  private static final String POSTER_EN = "a poster for a coffee shop that reads 'COFFEE & CODE'";

  private static RgbImage image(int w, int h) {
    return new RgbImage(w, h, new byte[w * h * 3]);
  }

  private static Reference ref(Role role, RgbImage image) {
    return new Reference(image, role, 1);
  }

  /** Answers every query with a mask covering {@code coverage} of the image; records phrases. */
  private static final class FakeGrounder implements Grounder {
    final List<String> phrases = new ArrayList<>();
    final double coverage;

    FakeGrounder(double coverage) {
      this.coverage = coverage;
    }

    @Override
    public Region locate(RgbImage image, GroundingQuery query) {
      phrases.add(query.phrase());
      int n = image.width() * image.height();
      float[] v = new float[n];
      for (int i = 0; i < Math.round(coverage * n); i++) {
        v[i] = 1f;
      }
      Mask m = new Mask(image.width(), image.height(), v);
      return new Region(m, m, 0.9, new Box(0, 0, image.width(), image.height()));
    }
  }

  @Test
  void aCleanRequestHasNoWarnings() {
    assertThat(ReferenceChecks.warnings(POSTER_ZH, List.of(ref(Role.STYLE, LARGE)))).isEmpty();
    FakeGrounder big = new FakeGrounder(0.6);
    assertThat(ReferenceChecks.warnings(BEACH_ZH, List.of(ref(Role.CHARACTER, LARGE)), big))
        .isEmpty();
    assertThat(big.phrases).containsExactly("person");
    assertThat(ReferenceChecks.warnings("a cat", List.of())).isEmpty();
  }

  @Test
  void smallReferencesAreNamedWithTheirSize() {
    List<Reference> refs = List.of(ref(Role.STYLE, LARGE), ref(Role.SUBJECT, image(640, 480)));
    assertThat(ReferenceChecks.warnings(POSTER_EN, refs))
        .containsExactly(
            "reference 2 is 640x480: under 512 px on its short side, details will be guessed;"
                + " use a higher-resolution image.");
    assertThat(ReferenceChecks.warnings(POSTER_ZH, refs))
        .containsExactly("参考图2为640x480，短边不足512像素，细节将由模型猜测；请使用更高分辨率的图片。");
    assertThat(ReferenceChecks.warnings(POSTER_EN, List.of(ref(Role.STYLE, image(512, 900)))))
        .isEmpty();
  }

  @Test
  void severalStyleReferencesAreNamed() {
    List<Reference> two =
        List.of(ref(Role.STYLE, LARGE), ref(Role.CHARACTER, LARGE), ref(Role.STYLE, LARGE));
    assertThat(ReferenceChecks.warnings(POSTER_EN, two))
        .containsExactly(
            "references 1 and 3 are both style references: mixing references confuses the model;"
                + " keep the one whose style matters most.");
    List<Reference> three =
        List.of(ref(Role.STYLE, LARGE), ref(Role.STYLE, LARGE), ref(Role.STYLE, LARGE));
    assertThat(ReferenceChecks.warnings(POSTER_ZH, three))
        .containsExactly("参考图1、2和3都是风格参考：混用多张参考图会让模型混淆；请只保留一张风格参考图。");
  }

  @Test
  void aSmallSubjectIsMeasuredWithTheGrounder() {
    FakeGrounder small = new FakeGrounder(0.12);
    assertThat(
            ReferenceChecks.warnings(
                "the same handbag on a beach", List.of(ref(Role.SUBJECT, LARGE)), small))
        .containsExactly(
            "reference 1's main subject (handbag) covers 12% of the frame: under 20%, the model"
                + " may take the background for what to keep; crop to the subject or use a simple"
                + " background.");
    assertThat(ReferenceChecks.warnings(BEACH_ZH, List.of(ref(Role.CHARACTER, LARGE)), small))
        .containsExactly("参考图1的主体（person）只占画面的12%，不足20%，模型可能把背景当成要参考的内容；请裁剪到主体或使用简洁的背景。");
    FakeGrounder unknown = new FakeGrounder(0.05);
    assertThat(
            ReferenceChecks.warnings(
                "put it on a beach", List.of(ref(Role.OBJECT, LARGE)), unknown))
        .singleElement()
        .asString()
        .startsWith("reference 1's main subject covers 5% of the frame");
    assertThat(unknown.phrases).containsExactly("the main subject");
  }

  @Test
  void theSubjectPhraseIsThePromptsFirstThingInEnglish() {
    assertThat(PromptWords.mainSubject("这只猫在沙发上睡觉")).contains("cat");
    assertThat(PromptWords.mainSubject("a poster of this red sofa in a loft")).contains("sofa");
    assertThat(PromptWords.mainSubject("somewhere over the rainbow")).isEmpty();
  }

  @Test
  void withoutAGrounderTheSubjectCheckIsSkipped() {
    assertThat(ReferenceChecks.warnings(BEACH_ZH, List.of(ref(Role.CHARACTER, LARGE)))).isEmpty();
    assertThat(
            ReferenceChecks.warnings(
                BEACH_ZH, List.of(ref(Role.CHARACTER, LARGE)), LocalEditor.NO_GROUNDER))
        .isEmpty();
    Grounder nothingFound =
        (image, query) -> {
          throw new AtelierException.InvalidRequest("prompt", "'person' grounds to nothing");
        };
    assertThat(
            ReferenceChecks.warnings(BEACH_ZH, List.of(ref(Role.CHARACTER, LARGE)), nothingFound))
        .isEmpty();
    assertThatThrownBy(() -> ReferenceChecks.warnings("x", List.of(), null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void styleWordsBesideAStyleReferenceAreNamed() {
    List<Reference> style = List.of(ref(Role.STYLE, LARGE));
    assertThat(
            ReferenceChecks.warnings(
                "a watercolor painting of a cafe, anime characters, 3D render", style))
        .containsExactly(
            "the prompt names other styles (watercolor painting, anime, 3D render) besides the"
                + " style reference: conflicting style words dilute the reference style; remove"
                + " them and rely on \"strictly follow the style of the reference image\".");
    assertThat(ReferenceChecks.warnings("咖啡馆海报，水彩风格，带一点动漫和像素风", style))
        .containsExactly("提示词中的风格词（水彩、动漫、像素风）与风格参考图冲突，会稀释参考图的风格；请删去这些词，并写明“严格参考上传图片的风格”。");
    assertThat(ReferenceChecks.warnings("写实的油画", style).get(0)).contains("（写实、油画）");
    assertThat(ReferenceChecks.warnings("Pixel-Art hero, photorealistic eyes", style).get(0))
        .contains("(Pixel-Art, photorealistic)");
  }

  @Test
  void styleWordsAloneAndDesignStylesAreFine() {
    assertThat(
            ReferenceChecks.warnings(
                "a watercolor painting of a cafe", List.of(ref(Role.CHARACTER, LARGE))))
        .isEmpty();
    assertThat(
            ReferenceChecks.warnings(
                "a modern industrial loft with a neon sign", List.of(ref(Role.STYLE, LARGE))))
        .isEmpty();
  }

  @Test
  void referencesOfWeightZeroTakeNoPart() {
    List<Reference> refs =
        List.of(
            new Reference(image(100, 100), Role.STYLE, 0),
            ref(Role.STYLE, LARGE),
            new Reference(LARGE, Role.STYLE, 0));
    assertThat(ReferenceChecks.warnings("an anime cafe", refs.subList(0, 1))).isEmpty();
    assertThat(ReferenceChecks.warnings("a cafe", refs)).isEmpty();
  }

  @Test
  void warningsComeInTheDocumentedOrder() {
    List<Reference> refs =
        List.of(
            ref(Role.STYLE, image(300, 300)), ref(Role.CHARACTER, LARGE), ref(Role.STYLE, LARGE));
    List<String> w = ReferenceChecks.warnings("an anime detective", refs, new FakeGrounder(0.1));
    assertThat(w).hasSize(4);
    assertThat(w.get(0)).startsWith("reference 1 is 300x300");
    assertThat(w.get(1)).startsWith("references 1 and 3");
    assertThat(w.get(2)).startsWith("reference 2's main subject (person)");
    assertThat(w.get(3)).startsWith("the prompt names other styles (anime)");
  }
}
