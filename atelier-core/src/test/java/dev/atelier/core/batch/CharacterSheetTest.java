package dev.atelier.core.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import org.junit.jupiter.api.Test;

/** Character traits from English and Chinese prompts, and how they reach every panel. */
class CharacterSheetTest {
  /** The guide's pitfall-3 example, with its typographic hyphens. */
  private static final String GUIDE_EN =
      "30\u2011year\u2011old Asian male, short hair, black\u2011frame glasses, dark\u2011blue shirt";

  /** The guide's storyboard scenario. */
  private static final String STORYBOARD =
      "generate a set of 6 panels describing a person running at dawn under a city skyline; keep"
          + " character appearance consistent and use a blue\u2011orange gradient palette";

  private static final String GUIDE_ZH = "一位30岁的亚洲男性，黑色短发，戴黑框眼镜，穿深蓝色衬衫，暖色调";

  private static JsonValue.Obj json(String text) {
    return (JsonValue.Obj) Json.parse(text);
  }

  @Test
  void readsTheGuidesEnglishExample() {
    assertThat(CharacterSheet.extract(GUIDE_EN))
        .isEqualTo(
            new CharacterSheet(
                "30-year-old",
                "short hair",
                "black-frame glasses",
                "dark-blue shirt",
                "",
                "Asian male"));
  }

  @Test
  void readsTheSameTraitsInChinese() {
    assertThat(CharacterSheet.extract(GUIDE_ZH))
        .isEqualTo(new CharacterSheet("30岁", "黑色短发", "黑框眼镜", "深蓝色衬衫", "暖色调", "亚洲男性"));
    assertThat(CharacterSheet.extract("一个女孩，黑色长发，穿红色连衣裙和白色运动鞋，不戴眼镜，马卡龙色调"))
        .isEqualTo(new CharacterSheet("", "黑色长发", "不戴眼镜", "红色连衣裙、白色运动鞋", "马卡龙色调", "女孩"));
    assertThat(CharacterSheet.extract("中年男人，西装，金丝眼镜，冷色调"))
        .isEqualTo(new CharacterSheet("中年", "", "金丝眼镜", "西装", "冷色调", "男人"));
  }

  @Test
  void readsOtherEnglishPhrasings() {
    assertThat(
            CharacterSheet.extract(
                "a young woman with long curly hair in a red dress, no glasses, pastel palette"))
        .isEqualTo(
            new CharacterSheet(
                "young", "long curly hair", "no glasses", "red dress", "pastel palette", "woman"));
    assertThat(
            CharacterSheet.extract(
                "an elderly detective in a grey trench coat and a black hat, warm tones"))
        .isEqualTo(
            new CharacterSheet(
                "elderly", "", "", "grey trench coat and black hat", "warm tones", "detective"));
    assertThat(CharacterSheet.extract("a chef in a white apron, 35 years old").age())
        .isEqualTo("35-year-old");
    assertThat(CharacterSheet.extract("a man aged 40 with short black hair").hair())
        .isEqualTo("short black hair");
  }

  @Test
  void readsPalettesFromTheGuidesPrompts() {
    assertThat(CharacterSheet.extract(STORYBOARD).palette())
        .isEqualTo("blue-orange gradient palette");
    assertThat(CharacterSheet.extract("一张现代简约风格的品牌 Logo,主图形是一只抽象的飞鸟,配色深蓝和金色").palette())
        .isEqualTo("深蓝和金色");
    assertThat(CharacterSheet.extract("六格漫画，蓝橙渐变，一个跑步的人").palette()).isEqualTo("蓝橙渐变");
  }

  @Test
  void scenesWithoutPeopleGiveAnEmptySheet() {
    for (String p :
        new String[] {
          "a cozy reading corner with a green sofa under uniform lighting",
          "a golden retriever running on the beach at sunset",
          "把沙发换成复古雕花款式，发光的灯",
          "保持发型不变"
        }) {
      assertThat(CharacterSheet.extract(p)).as(p).isEqualTo(CharacterSheet.EMPTY);
    }
    assertThat(CharacterSheet.EMPTY.isEmpty()).isTrue();
    assertThat(CharacterSheet.EMPTY.describe(false)).isEmpty();
  }

  @Test
  void describesInEitherLanguage() {
    CharacterSheet en =
        new CharacterSheet(
            "30-year-old",
            "short black hair",
            "black-frame glasses",
            "dark-blue shirt",
            "warm tones",
            "");
    assertThat(en.describe(false))
        .isEqualTo(
            "Character: 30-year-old, short black hair, black-frame glasses, dark-blue shirt;"
                + " palette: warm tones.");
    assertThat(CharacterSheet.extract(GUIDE_ZH).describe(true))
        .isEqualTo("角色：30岁亚洲男性，黑色短发，黑框眼镜，深蓝色衬衫；色调：暖色调。");
    assertThat(CharacterSheet.extract(GUIDE_EN).describe(false))
        .isEqualTo(
            "Character: 30-year-old Asian male, short hair, black-frame glasses, dark-blue"
                + " shirt.");
    assertThat(new CharacterSheet("", "", "", "", "暖色调", "女孩").describe(true)).isEqualTo("色调：暖色调。");
  }

  @Test
  void appliesTheMissingTraitsToEachPanel() {
    CharacterSheet sheet = CharacterSheet.extract(GUIDE_EN + ", warm tones");
    assertThat(sheet.applyTo("Panel 1: he waits for the bus in the rain"))
        .isEqualTo(
            "Panel 1: he waits for the bus in the rain. Character: 30-year-old Asian male, short"
                + " hair, black-frame glasses, dark-blue shirt; palette: warm tones.");
    assertThat(sheet.applyTo("the same 30-year-old Asian male in short hair, reading a book."))
        .isEqualTo(
            "the same 30-year-old Asian male in short hair, reading a book. Character:"
                + " black-frame glasses, dark-blue shirt; palette: warm tones.");
    CharacterSheet zh = CharacterSheet.extract(GUIDE_ZH);
    assertThat(zh.applyTo("第二格：他在地铁站等车"))
        .isEqualTo("第二格：他在地铁站等车。角色：30岁亚洲男性，黑色短发，黑框眼镜，深蓝色衬衫；色调：暖色调。");
  }

  @Test
  void applyingTwiceOrToAPanelThatSaysItAllChangesNothing() {
    CharacterSheet sheet = CharacterSheet.extract(GUIDE_EN);
    String once = sheet.applyTo("he runs at dawn");
    assertThat(sheet.applyTo(once)).isEqualTo(once);
    assertThat(sheet.applyTo(GUIDE_EN + " at the station")).isEqualTo(GUIDE_EN + " at the station");
    assertThat(CharacterSheet.EMPTY.applyTo("he runs")).isEqualTo("he runs");
  }

  @Test
  void readsAnExplicitCharacterObject() {
    CharacterSheet s =
        CharacterSheet.fromJson(
            json(
                "{\"age\":\"30-year-old\",\"hair\":\" short hair \",\"glasses\":null,"
                    + "\"palette\":\"warm tones\"}"));
    assertThat(s)
        .isEqualTo(new CharacterSheet("30-year-old", "short hair", "", "", "warm tones", ""));
    assertThat(CharacterSheet.fromJson(json("{}")).isEmpty()).isTrue();
  }

  @Test
  void refusesUnknownKeysWrongTypesAndLongValues() {
    assertThatThrownBy(() -> CharacterSheet.fromJson(json("{\"age\":\"30\",\"eyes\":\"blue\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "character has an unknown key 'eyes'; expected one of [age, hair, glasses, clothing,"
                + " palette]");
    assertThatThrownBy(() -> CharacterSheet.fromJson(json("{\"age\":30}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("character.age must be a string but was 30");
    String longHair = "x".repeat(201);
    assertThatThrownBy(() -> CharacterSheet.fromJson(json("{\"hair\":\"" + longHair + "\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("character.hair must be at most 200 characters but was 201");
  }

  @Test
  void warnsWhenAPersonIsNamedWithoutTraits() {
    assertThat(CharacterSheet.namesPersonWithoutTraits(STORYBOARD)).isTrue();
    assertThat(CharacterSheet.missingTraitsWarning(STORYBOARD))
        .contains(CharacterSheet.MISSING_TRAITS_WARNING);
    assertThat(CharacterSheet.MISSING_TRAITS_WARNING)
        .contains("30-year-old Asian male, short hair, black-frame glasses, dark-blue shirt");
    assertThat(CharacterSheet.missingTraitsWarning("一个女孩在雨中奔跑，六格漫画"))
        .contains(CharacterSheet.MISSING_TRAITS_WARNING_ZH);
    assertThat(CharacterSheet.namesPersonWithoutTraits("a detective with black-frame glasses"))
        .isTrue();
  }

  @Test
  void doesNotWarnWhenTheCharacterIsDescribedOrAbsent() {
    assertThat(CharacterSheet.namesPersonWithoutTraits(GUIDE_EN)).isFalse();
    assertThat(CharacterSheet.namesPersonWithoutTraits(GUIDE_ZH)).isFalse();
    assertThat(CharacterSheet.namesPersonWithoutTraits("一只抽象的飞鸟，配色深蓝和金色")).isFalse();
    assertThat(CharacterSheet.missingTraitsWarning("a golden retriever on a beach")).isEmpty();
    assertThat(CharacterSheet.namesPersonWithoutTraits("a woman-shaped cloud over the sea"))
        .isFalse();
  }
}
