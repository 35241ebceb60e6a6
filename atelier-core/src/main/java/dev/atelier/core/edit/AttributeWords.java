package dev.atelier.core.edit;

import dev.atelier.core.edit.EditPlan.Attribute;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Attribute words that name what changes rather than what it changes to: "沙发的颜色", "the color of the
 * sofa", "水彩风格", "oil painting style". They are stripped from the phrase and returned as {@link
 * Attribute}s; naming two ("颜色和材质") is two variables.
 *
 * @param rest the phrase without the attribute words
 * @param attributes the attributes named, empty when none
 */
record AttributeWords(String rest, Set<Attribute> attributes) {

  private static final String ZH_WORDS = "颜色|色彩|色调|配色|材质|质感|材料|风格|画风|形状|造型|光照|光线|灯光|打光";
  private static final Pattern ZH_TARGET_TAIL =
      Pattern.compile("(?:的)?((?:" + ZH_WORDS + ")(?:(?:和|与|及|、)(?:" + ZH_WORDS + "))*)$");
  private static final Pattern ZH_VALUE_TAIL = Pattern.compile("(?:的)?(风格|画风|风|材质|质感|造型)$");
  private static final String EN_WORDS =
      "colou?rs?|colou?r\\s+scheme|palette|material|texture|style|shape|lighting|light";
  private static final Pattern EN_OF =
      Pattern.compile(
          "^(?:the\\s+)?((?:"
              + EN_WORDS
              + ")(?:\\s+(?:and|&)\\s+(?:"
              + EN_WORDS
              + "))*)\\s+of\\s+(.+)$",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern EN_TAIL =
      Pattern.compile(
          "^(.+?)(?:'s)?\\s+((?:" + EN_WORDS + ")(?:\\s+(?:and|&)\\s+(?:" + EN_WORDS + "))*)$",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern EN_VALUE_TAIL =
      Pattern.compile("^(.+?)\\s+(style|look|finish|texture|aesthetic)$", Pattern.CASE_INSENSITIVE);

  AttributeWords {
    attributes = attributes.isEmpty() ? Set.of() : Set.copyOf(attributes);
  }

  /** The attribute words at the end of a target phrase ("沙发颜色", "the sofa's colour"). */
  static AttributeWords ofTarget(String target, boolean chinese) {
    if (chinese) {
      Matcher m = ZH_TARGET_TAIL.matcher(target);
      if (m.find()) {
        return new AttributeWords(target.substring(0, m.start()), parse(m.group(1)));
      }
      return new AttributeWords(target, Set.of());
    }
    Matcher of = EN_OF.matcher(target.strip());
    if (of.matches()) {
      return new AttributeWords(of.group(2), parse(of.group(1)));
    }
    Matcher tail = EN_TAIL.matcher(target.strip());
    if (tail.matches() && !PlannerText.stripArticle(tail.group(1) + " x").equals("x")) {
      return new AttributeWords(tail.group(1), parse(tail.group(2)));
    }
    // A target that is only an attribute word ("the lighting", "灯光") keeps its text: the whole
    // image's lighting is the target.
    String bare = PlannerText.stripArticle(target);
    if (bare.matches("(?i)(?:" + EN_WORDS + ")")) {
      return new AttributeWords("", parse(bare));
    }
    return new AttributeWords(target, Set.of());
  }

  /** The attribute word at the end of a value ("水彩风格", "pixel art style"). */
  static AttributeWords ofValue(String value, boolean chinese) {
    Matcher m = (chinese ? ZH_VALUE_TAIL : EN_VALUE_TAIL).matcher(value.strip());
    if (chinese ? m.find() : m.matches()) {
      String rest = chinese ? value.strip().substring(0, m.start()) : m.group(1);
      String word = chinese ? m.group(1) : m.group(2);
      return rest.isBlank()
          ? new AttributeWords(value, Set.of())
          : new AttributeWords(rest, parse(word));
    }
    return new AttributeWords(value, Set.of());
  }

  private static Set<Attribute> parse(String words) {
    Set<Attribute> out = EnumSet.noneOf(Attribute.class);
    String w = words.toLowerCase(java.util.Locale.ROOT);
    if (w.matches(".*(颜色|色彩|色调|配色|colou?r|palette).*")) {
      out.add(Attribute.COLOR);
    }
    if (w.matches(".*(材质|质感|材料|material|texture|finish).*")) {
      out.add(Attribute.MATERIAL);
    }
    if (w.matches(".*(风格|画风|风|style|look|aesthetic).*")) {
      out.add(Attribute.STYLE);
    }
    if (w.matches(".*(形状|造型|shape).*")) {
      out.add(Attribute.SHAPE);
    }
    if (w.matches(".*(光照|光线|灯光|打光|light).*")) {
      out.add(Attribute.LIGHTING);
    }
    return out;
  }
}
