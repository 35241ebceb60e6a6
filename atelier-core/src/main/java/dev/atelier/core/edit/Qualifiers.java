package dev.atelier.core.edit;

import dev.atelier.core.edit.EditPlan.Side;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads position qualifiers off a target phrase: a side ("on the left", "左侧", "in her left hand")
 * and an ordinal ("the second", "第二个").
 *
 * <p>Image positions are removed from the phrase, so "图片中左侧第二个花瓶" leaves "花瓶" for translation. A
 * side that belongs to a body part ("left hand", "左手") stays in the phrase, because it describes
 * the object rather than where it sits in the frame, but still sets the side.
 *
 * @param rest the phrase without image-position words, trimmed
 * @param side the first side named, {@link Side#NONE} when none
 * @param ordinal the 1-based ordinal, 0 when none
 */
record Qualifiers(String rest, Side side, int ordinal) {

  private static final String BODY_EN = "(?:hand|arm|leg|foot|eye|ear|shoulder|cheek|wrist|knee)s?";
  private static final Pattern BODY_SIDE_EN =
      Pattern.compile("\\b(left|right)(?=\\s+" + BODY_EN + "\\b)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIDE_EN =
      Pattern.compile(
          "(?:\\b(?:on|at|to|in|from|towards?)\\s+)?(?:\\bthe\\s+)?(?:\\bfar\\s+)?"
              + "\\b(left|right|top|bottom|upper|lower|middle|center|centre)(?:[- ]?most)?\\b"
              + "(?!\\s+"
              + BODY_EN
              + "\\b)"
              + "(?:\\s+(?:side|edge|corner|part|half|hand\\s+side))?(?:\\s+of\\b)?",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern ORDINAL_EN =
      Pattern.compile(
          "\\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|(\\d+)(?:st|nd|rd|th))\\b",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern BODY_SIDE_ZH = Pattern.compile("(左|右)(?=[手臂脚腿眼耳肩腕膝])");
  private static final Pattern FRAME_ZH = Pattern.compile("^(?:图片|画面|图中|图像|照片|图)(?:中|里|上)?(?=.)");
  private static final Pattern SIDE_ZH =
      Pattern.compile(
          "的?(?:最)?(?:(左|右)(?:侧|边|面|方|手边|半边|半部分|上角|下角)|(上方|顶部|顶端|上部|上侧)"
              + "|(下方|底部|底端|下部|下侧)|(正中间|正中央|中间|中央|正中|中心))的?");
  private static final Pattern ORDINAL_ZH =
      Pattern.compile(
          "第([一二两三四五六七八九十]{1,3}|\\d{1,3})(?:个|只|张|把|位|盏|扇|幅|朵|棵|件|条|本|辆|块|瓶|杯|盆|排|层)?的?");

  /** The qualifiers of an English or Chinese target phrase. */
  static Qualifiers of(String phrase, boolean chinese) {
    return chinese ? chinese(phrase) : english(phrase);
  }

  private static Qualifiers english(String phrase) {
    Side side = Side.NONE;
    int ordinal = 0;
    String s = phrase;
    Matcher body = BODY_SIDE_EN.matcher(s);
    if (body.find()) {
      side = sideOf(body.group(1));
    }
    Matcher ord = ORDINAL_EN.matcher(s);
    if (ord.find()) {
      ordinal =
          ord.group(2) != null ? Integer.parseInt(ord.group(2)) : englishOrdinal(ord.group(1));
      s = ord.replaceFirst("");
    }
    Matcher m = SIDE_EN.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      if (side == Side.NONE) {
        side = sideOf(m.group(1));
      }
      m.appendReplacement(out, " ");
    }
    m.appendTail(out);
    String rest = PlannerText.stripArticle(out.toString().replaceAll("\\s+", " ").strip());
    rest = rest.replaceFirst("(?i)\\s+(?:of|on|in|at)$", "").strip();
    return new Qualifiers(rest, side, ordinal);
  }

  private static Qualifiers chinese(String phrase) {
    Side side = Side.NONE;
    int ordinal = 0;
    String s = FRAME_ZH.matcher(phrase.strip()).replaceFirst("");
    Matcher body = BODY_SIDE_ZH.matcher(s);
    if (body.find()) {
      side = sideOf(body.group(1));
    }
    Matcher ord = ORDINAL_ZH.matcher(s);
    if (ord.find()) {
      ordinal = chineseNumber(ord.group(1));
      s = ord.replaceFirst("");
    }
    Matcher m = SIDE_ZH.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      if (side == Side.NONE) {
        side =
            m.group(1) != null
                ? sideOf(m.group(1))
                : m.group(2) != null ? Side.TOP : m.group(3) != null ? Side.BOTTOM : Side.CENTER;
      }
      m.appendReplacement(out, "");
    }
    m.appendTail(out);
    String rest = out.toString().strip().replaceAll("^的|的$", "");
    if (rest.equals("图片") || rest.equals("画面") || rest.equals("图") || rest.equals("图中")) {
      rest = "";
    }
    return new Qualifiers(rest, side, ordinal);
  }

  private static Side sideOf(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "left", "左" -> Side.LEFT;
      case "right", "右" -> Side.RIGHT;
      case "top", "upper" -> Side.TOP;
      case "bottom", "lower" -> Side.BOTTOM;
      default -> Side.CENTER;
    };
  }

  private static int englishOrdinal(String word) {
    return switch (word.toLowerCase(Locale.ROOT)) {
      case "first" -> 1;
      case "second" -> 2;
      case "third" -> 3;
      case "fourth" -> 4;
      case "fifth" -> 5;
      case "sixth" -> 6;
      case "seventh" -> 7;
      case "eighth" -> 8;
      case "ninth" -> 9;
      default -> 10;
    };
  }

  /** Reads 1-99 written with Chinese digits ("二", "十二", "二十一") or Arabic digits. */
  static int chineseNumber(String digits) {
    if (digits.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(digits);
    }
    String units = "零一二三四五六七八九";
    int ten = digits.indexOf('十');
    if (ten < 0) {
      return digits.equals("两") ? 2 : units.indexOf(digits.charAt(0));
    }
    int tens = ten == 0 ? 1 : unit(units, digits.charAt(0));
    int ones = ten == digits.length() - 1 ? 0 : unit(units, digits.charAt(ten + 1));
    return tens * 10 + ones;
  }

  private static int unit(String units, char c) {
    return c == '两' ? 2 : Math.max(0, units.indexOf(c));
  }
}
