package dev.atelier.core.session;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What one change clause acts on, read with a few fixed patterns so that {@link PromptMerger} can
 * let a later instruction win over an earlier one about the same thing.
 *
 * <p>Recognised English forms: "change/turn/set/convert/switch X [from A] to|into B",
 * "make/paint/colour/dye X B" (X ends where the first colour, material, style, size or shape word
 * starts), "replace/swap X with|for|by B" and "remove/delete X". Chinese forms: "[只][把|将]X[的]
 * [颜色|材质|风格|大小|形状][从A]改成|改为|换成|变成|替换为|调整为|转换为...B" and "移除|删除|去掉X". Anything else has no target and
 * is never superseded.
 *
 * @param object the thing changed, lowercase without articles; {@code ""} for the whole image
 * @param attributes what about it changes, read from the new value and an explicit attribute word
 * @param replacesObject whether the clause replaces or removes the object outright, which overrides
 *     every earlier change to it
 */
record ChangeTarget(String object, Set<Attribute> attributes, boolean replacesObject) {

  /** Kinds of attribute a change can touch. */
  enum Attribute {
    COLOR,
    MATERIAL,
    STYLE,
    SIZE,
    SHAPE,
    TEXT
  }

  /** Copies. */
  ChangeTarget {
    attributes = attributes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(attributes));
  }

  private static final int MAX_CLAUSE_CHARS = 300;

  private static final Set<String> COLOR_WORDS =
      words(
          "red green blue yellow orange purple violet pink brown black white grey gray silver",
          "gold golden beige cyan teal turquoise magenta emerald navy crimson maroon ivory cream",
          "olive lime amber burgundy indigo lavender coral khaki charcoal",
          "light dark deep pale bright pastel vivid muted color colour colored coloured");
  private static final Set<String> MATERIAL_WORDS =
      words(
          "marble wood wooden oak walnut metal metallic steel glass ceramic porcelain leather",
          "velvet linen cotton silk wool stone concrete brick plastic paper matte matt glossy",
          "satin fabric denim bamboo granite chrome brass copper material texture finish");
  private static final Set<String> STYLE_WORDS =
      words(
          "style watercolor watercolour oil sketch anime cartoon photorealistic realistic pixel",
          "impressionist minimalist vintage retro cyberpunk ukiyo-e");
  private static final Set<String> SIZE_WORDS =
      words("bigger smaller larger taller shorter wider narrower size huge tiny");
  private static final Set<String> SHAPE_WORDS =
      words("round rounded square oval pill capsule shape shaped");
  private static final Set<String> ARTICLES = words("the a an this that its his her their my our");
  // Ways to say "the whole image"; multi-word names are joined with underscores here.
  private static final Set<String> WHOLE_IMAGE =
      words(
          "it image picture photo scene everything whole_image entire_image whole_picture",
          "whole_scene 画面 画面整体 整体 图片 整张图 整个画面 图像");

  private static final Pattern EN_REPLACE =
      Pattern.compile("^(?:replace|swap|substitute)\\s+(.+?)\\s+(?:with|for|by)\\s+(.+)$");
  private static final Pattern EN_REMOVE = Pattern.compile("^(?:remove|delete|erase)\\s+(.+)$");
  private static final Pattern EN_TO =
      Pattern.compile(
          "^(?:change|turn|set|convert|switch|make|paint|recolou?r|colou?r|dye)\\s+(.+?)"
              + "(?:\\s+from\\s+.+?)?\\s+(?:to|into)\\s+(.+)$");
  private static final Pattern EN_MAKE =
      Pattern.compile("^(?:make|paint|recolou?r|colou?r|dye|turn)\\s+(.+)$");
  private static final Pattern ZH_CHANGE =
      Pattern.compile(
          "^(?:只|仅)?(?:把|将)?(.*?)(?:的)?(颜色|材质|材料|风格|大小|尺寸|形状)?(?:从(.{0,40}?))?"
              + "(改成|改为|换成|换为|变成|变为|替换成|替换为|调整为|调整成|调成|转换为|转换成|转为)(.+)$");
  private static final Pattern ZH_REMOVE =
      Pattern.compile("^(?:只|仅)?(?:把|将)?(?:移除|删除|去掉|删掉|去除)(.+)$");

  /**
   * The parts of a Chinese change clause as written, for rewriting a Chinese prompt.
   *
   * @param object the thing changed ("沙发")
   * @param attributeWord the attribute named ("颜色"), {@code ""} when none
   * @param from the old value as written, {@code ""} when none
   * @param verb the change verb ("改为", "换成")
   * @param to the new value as written ("深宝石绿")
   */
  record ZhParts(String object, String attributeWord, String from, String verb, String to) {
    /** Whether the verb swaps the thing itself ("换成") rather than setting an attribute. */
    boolean swaps() {
      return attributeWord.isEmpty() && verb.matches("替?换[成为]");
    }
  }

  /** The parts of {@code clause} when it is a Chinese "把X[的颜色][从A]改成B" change. */
  static Optional<ZhParts> zhParts(String clause) {
    String text = clause.strip();
    if (text.length() > MAX_CLAUSE_CHARS || !Clauses.isChinese(text)) {
      return Optional.empty();
    }
    Matcher m = ZH_CHANGE.matcher(text);
    if (!m.matches() || m.group(1).isBlank() || m.group(5).isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        new ZhParts(
            m.group(1).strip().replaceAll("的$", ""),
            m.group(2) == null ? "" : m.group(2),
            m.group(3) == null ? "" : m.group(3).strip(),
            m.group(4),
            m.group(5).strip().replaceAll("[。.!！]+$", "")));
  }

  /** The attribute kinds of an English word ("grey" is a colour), or null for other words. */
  static Attribute kindOf(String word) {
    return attributeOf(word.toLowerCase(Locale.ROOT));
  }

  /** Reads the target of {@code clause}, or empty when no pattern fits or it is too long. */
  static Optional<ChangeTarget> of(String clause) {
    String text = clause.strip().toLowerCase(Locale.ROOT);
    if (text.length() > MAX_CLAUSE_CHARS) {
      // One change is a short clause; skipping long ones keeps the lazy patterns from going
      // quadratic on a pasted wall of text.
      return Optional.empty();
    }
    Matcher m;
    if ((m = ZH_REMOVE.matcher(text)).matches() || (m = EN_REMOVE.matcher(text)).matches()) {
      return Optional.of(new ChangeTarget(object(m.group(1)), Set.of(), true));
    }
    if ((m = ZH_CHANGE.matcher(text)).matches()) {
      Set<Attribute> attributes = attributes(m.group(5));
      if (m.group(2) != null) {
        attributes.add(zhAttribute(m.group(2)));
      }
      boolean replaces = m.group(2) == null && m.group(4).matches("替?换[成为]");
      return Optional.of(new ChangeTarget(object(m.group(1)), attributes, replaces));
    }
    if ((m = EN_REPLACE.matcher(text)).matches()) {
      return Optional.of(new ChangeTarget(object(m.group(1)), attributes(m.group(2)), true));
    }
    if ((m = EN_TO.matcher(text)).matches()) {
      return Optional.of(of(m.group(1), m.group(2)));
    }
    if ((m = EN_MAKE.matcher(text)).matches()) {
      String[] words = m.group(1).split("\\s+");
      // The object is the words before the first attribute word that follows a noun-like word,
      // so "the white cup red" splits after "cup", not after "the".
      boolean sawNoun = false;
      for (int i = 0; i < words.length; i++) {
        if (sawNoun && (attributeOf(words[i]) != null || words[i].matches("looks?|appear"))) {
          return Optional.of(
              of(
                  String.join(" ", Arrays.copyOfRange(words, 0, i)),
                  String.join(" ", Arrays.copyOfRange(words, i, words.length))));
        }
        sawNoun |= !ARTICLES.contains(words[i]) && attributeOf(words[i]) == null;
      }
    }
    return Optional.empty();
  }

  /**
   * Whether this (later) change makes {@code earlier} moot: same object, and either this replaces
   * the object, or it restates every attribute {@code earlier} set, or neither names a known
   * attribute. A later colour change does not drop an earlier "matte dark green", which also set
   * the finish.
   */
  boolean supersedes(ChangeTarget earlier) {
    if (!object.equals(earlier.object)) {
      return false;
    }
    if (replacesObject) {
      return true;
    }
    if (earlier.attributes.isEmpty()) {
      return attributes.isEmpty();
    }
    return attributes.containsAll(earlier.attributes);
  }

  private static ChangeTarget of(String objectPhrase, String value) {
    Set<Attribute> attributes = attributes(value);
    // "the colour of the sofa" and "the sofa's colour" name the attribute on the object side.
    Matcher named =
        Pattern.compile("^(?:the\\s+)?(colou?r|material|texture|style|size|shape)\\s+of\\s+(.+)$")
            .matcher(objectPhrase);
    String phrase = objectPhrase;
    if (named.matches()) {
      attributes.addAll(attributes(named.group(1)));
      phrase = named.group(2);
    }
    Matcher suffix =
        Pattern.compile("^(.+?)(?:'s)?\\s+(colou?r|material|texture|style|size|shape)$")
            .matcher(phrase);
    if (suffix.matches()) {
      attributes.addAll(attributes(suffix.group(2)));
      phrase = suffix.group(1);
    }
    return new ChangeTarget(object(phrase), attributes, false);
  }

  private static String object(String phrase) {
    String[] words = phrase.strip().replaceAll("的$", "").split("\\s+");
    int start = 0;
    while (start < words.length - 1 && ARTICLES.contains(words[start])) {
      start++;
    }
    String object = String.join(" ", Arrays.copyOfRange(words, start, words.length));
    if (object.isEmpty() || ARTICLES.contains(object) || WHOLE_IMAGE.contains(object)) {
      return "";
    }
    return object;
  }

  private static Set<Attribute> attributes(String value) {
    Set<Attribute> attributes = EnumSet.noneOf(Attribute.class);
    if (value.matches("^\\s*[\"'“‘「『].*")) {
      attributes.add(Attribute.TEXT);
    }
    for (String word : value.split("[\\s,]+")) {
      Attribute attribute = attributeOf(word);
      if (attribute != null) {
        attributes.add(attribute);
      }
    }
    if (value.matches(".*[色红绿蓝黄黑白灰紫橙粉棕银青].*")) {
      attributes.add(Attribute.COLOR);
    }
    if (value.matches(
        "(?s).*(大理石|石材|石头|木质|木纹|木制|实木|原木|金属|玻璃|陶瓷|皮革|皮质|真皮|布料|布艺|磨砂|哑光|亚光|光面|丝绒|塑料|纸质|材质|质感).*")) {
      attributes.add(Attribute.MATERIAL);
    }
    if (value.matches(".*(风格|水彩|油画|素描|动漫|卡通|写实|像素|画风).*")) {
      attributes.add(Attribute.STYLE);
    }
    if (value.matches(".*(更大|更小|放大|缩小|大小|尺寸).*")) {
      attributes.add(Attribute.SIZE);
    }
    if (value.matches(".*(形状|圆角|圆形|方形|胶囊形).*")) {
      attributes.add(Attribute.SHAPE);
    }
    return attributes;
  }

  private static Set<String> words(String... lines) {
    return Arrays.stream(String.join(" ", lines).split(" "))
        .map(word -> word.replace('_', ' '))
        .collect(Collectors.toUnmodifiableSet());
  }

  private static Attribute attributeOf(String word) {
    String w = word.replaceAll("^[^\\p{L}]+|[^\\p{L}-]+$", "");
    if (COLOR_WORDS.contains(w)) {
      return Attribute.COLOR;
    }
    if (MATERIAL_WORDS.contains(w)) {
      return Attribute.MATERIAL;
    }
    if (STYLE_WORDS.contains(w)) {
      return Attribute.STYLE;
    }
    if (SIZE_WORDS.contains(w)) {
      return Attribute.SIZE;
    }
    return SHAPE_WORDS.contains(w) ? Attribute.SHAPE : null;
  }

  private static Attribute zhAttribute(String word) {
    return switch (word) {
      case "颜色" -> Attribute.COLOR;
      case "材质", "材料" -> Attribute.MATERIAL;
      case "风格" -> Attribute.STYLE;
      case "大小", "尺寸" -> Attribute.SIZE;
      default -> Attribute.SHAPE;
    };
  }
}
