package dev.atelier.core.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Text handling the planner's stages share: language detection, clause splitting, keep-clause
 * recognition and article stripping.
 */
final class PlannerText {

  /**
   * Clause boundaries. The enumeration comma 、 is not one, because it separates keep-list items
   * ("衣服纹理、背景大楼"); "and keep ..." and "并保持..." are, because they start a keep-clause.
   */
  private static final Pattern BOUNDARY =
      Pattern.compile(
          "[,，;；。!！?？:：\\n]+|\\.(?=\\s|$)"
              + "|\\s+(?:and|but|while)\\s+(?=(?:keep|keeping|preserve|preserving|leave|leaving"
              + "|maintain|maintaining|retain|retaining|don't|do not)\\b)"
              + "|(?:并且|并|同时|但)(?=保持|维持|保留)"
              // A second verb after "and" is a second change; splitting it lets the planner count
              // it.
              + "|\\s+and\\s+(?:then\\s+)?(?=(?:make|change|turn|replace|remove|delete|add|paint"
              + "|swap|set|convert|recolou?r)\\b)"
              + "|(?:并且|并|然后|再)(?=把|将|移除|删除|去掉|添加|加上|在)");

  private static final Pattern LEADING_FILLER =
      Pattern.compile(
          "^(?:(?:please|then|now|also|next|finally|just|only|and|strictly|carefully|simply)\\s+"
              + "|请|然后|接着|再|最后|另外|只|仅|帮我|麻烦|严格地|严格)+",
          Pattern.CASE_INSENSITIVE);

  private PlannerText() {}

  /** See {@link dev.atelier.core.Scripts#hasHan}. */
  static boolean hasHan(String s) {
    return dev.atelier.core.Scripts.hasHan(s);
  }

  /** See {@link dev.atelier.core.Scripts#isChinese}. */
  static boolean isChinese(String text) {
    return dev.atelier.core.Scripts.isChinese(text);
  }

  /** The non-blank clauses of {@code text}, trimmed, in order. */
  static List<String> clauses(String text) {
    List<String> out = new ArrayList<>();
    for (String part : BOUNDARY.split(text)) {
      String clause = part.strip();
      if (!clause.isEmpty()) {
        out.add(clause);
      }
    }
    return out;
  }

  /** Whether {@code clause} only says what to leave alone. */
  static boolean isKeepClause(String clause) {
    return dev.atelier.core.edit.KeepClause.matches(clause);
  }

  /** {@code clause} without leading politeness and sequencing words. */
  static String stripFiller(String clause) {
    return LEADING_FILLER.matcher(clause.strip()).replaceFirst("").strip();
  }

  /** {@code phrase} without a leading English article or possessive pronoun. */
  static String stripArticle(String phrase) {
    return phrase
        .strip()
        .replaceFirst("(?i)^(?:the|a|an|some|its|their|his|her|this|that)\\s+", "")
        .strip();
  }

  /** {@code phrase} without surrounding quotes of any common kind. */
  static String unquote(String phrase) {
    String s = phrase.strip();
    if (s.length() >= 2
        && "\"'“‘「『《".indexOf(s.charAt(0)) >= 0
        && "\"'”’」』》".indexOf(s.charAt(s.length() - 1)) >= 0) {
      return s.substring(1, s.length() - 1).strip();
    }
    return s;
  }

  /** Whether {@code phrase} is wholly quoted, which marks literal text content. */
  static boolean isQuoted(String phrase) {
    return !unquote(phrase).equals(phrase.strip());
  }
}
