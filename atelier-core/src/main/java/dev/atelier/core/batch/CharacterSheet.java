package dev.atelier.core.batch;

import dev.atelier.core.Scripts;
import dev.atelier.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a character looks like, written once and applied to every panel of a set, the guide's remedy
 * for characters that look different across a batch (pitfall 3: "explicitly define character
 * attributes in the prompt, e.g. '30-year-old Asian male, short hair, black-frame glasses,
 * dark-blue shirt'").
 *
 * <p>A sheet comes from a prompt ({@link #extract}) or from a request's explicit {@code character}
 * object ({@link #fromJson}). Values are kept as written, in the prompt's language; {@link
 * #describe} only chooses the labels and punctuation. The traits are age, hair, glasses and
 * clothing; the palette belongs to the set rather than to the character and is not counted as a
 * trait. An absent value is the empty string.
 *
 * @param age "30-year-old", "young", "30岁"
 * @param hair "short black hair", "黑色短发"
 * @param glasses "black-frame glasses", "no glasses", "黑框眼镜"
 * @param clothing "dark-blue shirt", "深蓝色衬衫"; several items joined with " and " or "、"
 * @param palette the set's colours: "warm tones", "blue-orange gradient palette", "暖色调"
 * @param subject who the character is: "Asian male", "woman", "亚洲男性"
 */
public record CharacterSheet(
    String age, String hair, String glasses, String clothing, String palette, String subject) {

  /** The sheet with nothing in it. */
  public static final CharacterSheet EMPTY = new CharacterSheet("", "", "", "", "", "");

  /** The keys an explicit {@code character} object may hold. */
  public static final List<String> JSON_KEYS =
      List.of("age", "hair", "glasses", "clothing", "palette");

  /** Longest value accepted, since each is repeated in every panel's prompt. */
  public static final int MAX_VALUE_LENGTH = 200;

  /** Fewest traits a prompt that names a person should give for a consistent batch. */
  public static final int MIN_TRAITS = 2;

  /** The warning for an English prompt that names a person with fewer than two traits. */
  public static final String MISSING_TRAITS_WARNING =
      "The prompt names a character but few of their traits, so they may look different in each"
          + " image: describe them explicitly, e.g. \"30-year-old Asian male, short hair,"
          + " black-frame glasses, dark-blue shirt\"; the more specific, the better.";

  /** The warning for a Chinese prompt that names a person with fewer than two traits. */
  public static final String MISSING_TRAITS_WARNING_ZH =
      "提示词提到了人物，但几乎没有描述其特征，各张图片中的人物可能不一样：请明确写出人物特征，" + "例如“30岁亚洲男性，短发，黑框眼镜，深蓝色衬衫”，越具体越好。";

  /**
   * Strips the values and checks their length.
   *
   * @throws IllegalArgumentException if a value is longer than {@link #MAX_VALUE_LENGTH}
   */
  public CharacterSheet {
    age = checked("age", age);
    hair = checked("hair", hair);
    glasses = checked("glasses", glasses);
    clothing = checked("clothing", clothing);
    palette = checked("palette", palette);
    subject = checked("subject", subject);
  }

  /**
   * Reads the character's traits from an English or Chinese prompt.
   *
   * <p>Each value is the earliest phrase of its kind: an age ("30-year-old", "30 years old" and
   * "aged 30" all become "30-year-old"; "young", "elderly", "middle-aged" in front of a person;
   * "30岁", "中年"), hair ("short black hair", "long curly hair", "ponytail", "短发", "黑色长发"), glasses
   * ("black-frame glasses", "no glasses", "黑框眼镜", "不戴眼镜"), palette ("warm tones", "pastel palette",
   * "暖色调", "配色深蓝和金色"), and the person named ("Asian male", "女孩"); clothing collects every coloured
   * or plain garment ("dark-blue shirt", "red dress", "深蓝色衬衫", "西装"). Typographic hyphens, as in
   * "30‑year‑old", read as plain ones.
   *
   * @param prompt the prompt
   * @return the sheet, {@link #isEmpty} when the prompt describes no one
   */
  public static CharacterSheet extract(String prompt) {
    String text = CharacterTraits.normalise(prompt);
    return new CharacterSheet(
        CharacterTraits.age(text),
        CharacterTraits.hair(text),
        CharacterTraits.glasses(text),
        CharacterTraits.clothing(text, Scripts.isChinese(text)),
        CharacterTraits.palette(text),
        CharacterTraits.subject(text));
  }

  /**
   * Reads a request's explicit {@code character} object, {@code {"age", "hair", "glasses",
   * "clothing", "palette"}}, every key optional; JSON {@code null} counts as absent.
   *
   * @param character the object
   * @return the sheet, with no subject
   * @throws IllegalArgumentException naming the key when a key is unknown or a value is not a
   *     string or is too long
   */
  public static CharacterSheet fromJson(JsonValue.Obj character) {
    for (Map.Entry<String, JsonValue> e : character.members().entrySet()) {
      if (!JSON_KEYS.contains(e.getKey())) {
        throw new IllegalArgumentException(
            "character has an unknown key '" + e.getKey() + "'; expected one of " + JSON_KEYS);
      }
      if (!(e.getValue() instanceof JsonValue.Str || e.getValue() instanceof JsonValue.Null)) {
        throw new IllegalArgumentException(
            "character." + e.getKey() + " must be a string but was " + e.getValue());
      }
    }
    return new CharacterSheet(
        character.string("age", ""),
        character.string("hair", ""),
        character.string("glasses", ""),
        character.string("clothing", ""),
        character.string("palette", ""),
        "");
  }

  /**
   * Whether there is nothing to add to a panel: no trait and no palette (a subject alone is not a
   * description).
   *
   * @return true when {@link #describe} gives the empty string
   */
  public boolean isEmpty() {
    return traitCount() == 0 && palette.isEmpty();
  }

  /**
   * How many of age, hair, glasses and clothing are known.
   *
   * @return 0 to 4
   */
  public int traitCount() {
    int n = 0;
    for (String v : List.of(age, hair, glasses, clothing)) {
      n += v.isEmpty() ? 0 : 1;
    }
    return n;
  }

  /**
   * The sentence to append to a panel's prompt.
   *
   * <p>English: "Character: 30-year-old Asian male, short black hair, black-frame glasses,
   * dark-blue shirt; palette: warm tones." Chinese: "角色：30岁亚洲男性，黑色短发，黑框眼镜，深蓝色衬衫；色调：暖色调。" The
   * subject is named only beside at least one trait; either part is left out when it has nothing.
   *
   * @param chinese whether to use the Chinese labels and punctuation
   * @return the sentence, or the empty string when {@link #isEmpty}
   */
  public String describe(boolean chinese) {
    List<String> parts = new ArrayList<>();
    String who = joinWords(age, subject);
    if (traitCount() > 0 && !who.isEmpty()) {
      parts.add(who);
    }
    for (String v : List.of(hair, glasses, clothing)) {
      if (!v.isEmpty()) {
        parts.add(v);
      }
    }
    String character = String.join(chinese ? "，" : ", ", parts);
    if (traitCount() == 0) {
      character = "";
    }
    StringBuilder out = new StringBuilder();
    if (!character.isEmpty()) {
      out.append(chinese ? "角色：" : "Character: ").append(character);
    }
    if (!palette.isEmpty()) {
      if (out.isEmpty()) {
        out.append(chinese ? "色调：" : "Palette: ");
      } else {
        out.append(chinese ? "；色调：" : "; palette: ");
      }
      out.append(palette);
    }
    if (!out.isEmpty()) {
      out.append(chinese ? "。" : ".");
    }
    return out.toString();
  }

  /**
   * Appends the traits a panel's prompt does not already state, in the panel's language.
   *
   * <p>A value counts as stated when the panel contains it, ignoring case and hyphen style; a panel
   * that states everything, or one this sheet was already applied to, comes back unchanged.
   *
   * @param panelPrompt one panel's prompt
   * @return the prompt, with a {@link #describe} sentence of the missing values appended
   */
  public String applyTo(String panelPrompt) {
    String panel = comparable(panelPrompt);
    CharacterSheet missing =
        new CharacterSheet(
            absentFrom(panel, age),
            absentFrom(panel, hair),
            absentFrom(panel, glasses),
            absentFrom(panel, clothing),
            absentFrom(panel, palette),
            absentFrom(panel, subject));
    if (missing.isEmpty()) {
      return panelPrompt;
    }
    boolean chinese = Scripts.isChinese(panelPrompt);
    String trimmed = panelPrompt.strip();
    if (trimmed.isEmpty()) {
      return missing.describe(chinese);
    }
    if (chinese) {
      boolean ends = trimmed.endsWith("。") || trimmed.endsWith("！") || trimmed.endsWith("？");
      return trimmed + (ends ? "" : "。") + missing.describe(true);
    }
    boolean ends = trimmed.endsWith(".") || trimmed.endsWith("!") || trimmed.endsWith("?");
    return trimmed + (ends ? " " : ". ") + missing.describe(false);
  }

  /**
   * Whether a prompt names a person or character ("a man", "the detective", "女孩", "主角") but gives
   * fewer than {@link #MIN_TRAITS} of their traits.
   *
   * @param prompt the prompt
   * @return true when the batch's characters are likely to drift
   */
  public static boolean namesPersonWithoutTraits(String prompt) {
    String text = CharacterTraits.normalise(prompt);
    return CharacterTraits.SUBJECT.matcher(text).find()
        && extract(prompt).traitCount() < MIN_TRAITS;
  }

  /**
   * The warning for {@link #namesPersonWithoutTraits}, in the prompt's language.
   *
   * @param prompt the prompt
   * @return {@link #MISSING_TRAITS_WARNING} or {@link #MISSING_TRAITS_WARNING_ZH}, or empty when
   *     the prompt names no one or describes them well enough
   */
  public static Optional<String> missingTraitsWarning(String prompt) {
    if (!namesPersonWithoutTraits(prompt)) {
      return Optional.empty();
    }
    return Optional.of(
        Scripts.isChinese(prompt) ? MISSING_TRAITS_WARNING_ZH : MISSING_TRAITS_WARNING);
  }

  /** "30-year-old" + "Asian male" with a space; "30岁" + "亚洲男性" without one. */
  private static String joinWords(String first, String second) {
    if (first.isEmpty() || second.isEmpty()) {
      return first + second;
    }
    boolean han =
        Scripts.hasHan(first.substring(first.length() - 1))
            || Scripts.hasHan(second.substring(0, 1));
    return first + (han ? "" : " ") + second;
  }

  private static String absentFrom(String comparablePanel, String value) {
    return value.isEmpty() || comparablePanel.contains(comparable(value)) ? "" : value;
  }

  /** Lower case, one kind of hyphen, single spaces: how panels and values are compared. */
  private static String comparable(String s) {
    return CharacterTraits.normalise(s).toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
  }

  private static String checked(String name, String value) {
    Objects.requireNonNull(value, name);
    String v = value.strip();
    if (v.length() > MAX_VALUE_LENGTH) {
      throw new IllegalArgumentException(
          "character."
              + name
              + " must be at most "
              + MAX_VALUE_LENGTH
              + " characters but was "
              + v.length());
    }
    return v;
  }
}
