package dev.atelier.core.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes an edit instruction from the guide's four 3W1K fields: what to change, which attribute and
 * its new value, what to keep, and the key constraint.
 *
 * <p>Chinese follows the guide's own phrasing, "将沙发的颜色改为深宝石绿，保持光影和其他家具完全不变"; English reads "Change
 * the color of the sofa to deep emerald green, keeping the lighting and the other furniture
 * strictly unchanged". Neither adds final punctuation, so callers can append more.
 */
public final class InstructionComposer {

  private InstructionComposer() {}

  /**
   * Composes an instruction.
   *
   * @param what the object or region to change ("沙发", "the sofa")
   * @param attribute the attribute that changes ("颜色", "color"), or {@code ""} to change the object
   *     as a whole
   * @param to the new value ("深宝石绿", "deep emerald green")
   * @param keep what must stay unchanged, in order; may be empty
   * @param constraint the strictness word placed before "unchanged" ("完全", "严格", "strictly"), or
   *     {@code ""}; with an empty keep-list it applies to everything else
   * @param language {@link Locale#CHINESE} or {@link Locale#ENGLISH} (only the language counts)
   * @return the instruction
   * @throws IllegalArgumentException when {@code what} or {@code to} is blank, a keep item is
   *     blank, or the language is neither Chinese nor English
   */
  public static String compose(
      String what,
      String attribute,
      String to,
      List<String> keep,
      String constraint,
      Locale language) {
    Objects.requireNonNull(attribute, "attribute");
    Objects.requireNonNull(constraint, "constraint");
    Objects.requireNonNull(language, "language");
    requireText("what", what);
    requireText("to", to);
    for (String item : keep) {
      if (item.isBlank()) {
        throw new IllegalArgumentException("keep items must not be blank but found " + keep);
      }
    }
    return switch (language.getLanguage()) {
      case "zh" -> chinese(what.strip(), attribute.strip(), to.strip(), keep, constraint.strip());
      case "en" -> english(what.strip(), attribute.strip(), to.strip(), keep, constraint.strip());
      default ->
          throw new IllegalArgumentException(
              "language must be Chinese (zh) or English (en) but was '" + language + "'");
    };
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          name + " must be a non-blank phrase but was " + (value == null ? "null" : "blank"));
    }
  }

  private static String chinese(
      String what, String attribute, String to, List<String> keep, String constraint) {
    StringBuilder sb = new StringBuilder("将").append(what);
    if (!attribute.isEmpty()) {
      sb.append("的").append(attribute);
    }
    sb.append("改为").append(to);
    if (!keep.isEmpty()) {
      sb.append("，保持").append(join(strip(keep), "、", "和")).append(constraint).append("不变");
    } else if (!constraint.isEmpty()) {
      sb.append("，其他一切").append(constraint).append("不变");
    }
    return sb.toString();
  }

  private static String english(
      String what, String attribute, String to, List<String> keep, String constraint) {
    StringBuilder sb = new StringBuilder("Change ");
    if (!attribute.isEmpty()) {
      sb.append("the ").append(attribute).append(" of ");
    }
    sb.append(withArticle(what)).append(" to ").append(to);
    String unchanged = constraint.isEmpty() ? "unchanged" : constraint + " unchanged";
    if (!keep.isEmpty()) {
      List<String> items = new ArrayList<>();
      for (String item : strip(keep)) {
        items.add(withArticle(item));
      }
      sb.append(", keeping ").append(join(items, ", ", " and ")).append(' ').append(unchanged);
    } else if (!constraint.isEmpty()) {
      sb.append(", keeping everything else ").append(unchanged);
    }
    return sb.toString();
  }

  /** {@code phrase} with "the" in front unless it already has a determiner. */
  private static String withArticle(String phrase) {
    String lower = phrase.toLowerCase(Locale.ROOT);
    if (lower.matches(
        "(?:the|a|an|its|his|her|their|my|your|this|that|these|those|all|every|everything)\\b.*")) {
      return phrase;
    }
    return "the " + phrase;
  }

  private static List<String> strip(List<String> items) {
    return items.stream().map(String::strip).toList();
  }

  /** "A", "A和B", "A、B和C" (or "A, B and C"). */
  private static String join(List<String> items, String separator, String last) {
    if (items.size() == 1) {
      return items.get(0);
    }
    return String.join(separator, items.subList(0, items.size() - 1))
        + last
        + items.get(items.size() - 1);
  }
}
