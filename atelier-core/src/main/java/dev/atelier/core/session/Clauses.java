package dev.atelier.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Clause-level text handling shared by {@link PromptMerger} and {@link RoundWarnings}: splitting
 * prompts into clauses, recognising keep-clauses and telling English from Chinese.
 */
final class Clauses {

  /**
   * Clause boundaries: commas and semicolons (ASCII and full-width), sentence ends, newlines, a
   * period only before whitespace or the end (so "3.5" stays whole), and a conjunction that
   * introduces a keep-clause inside one clause ("... and keep", "...并保持"). The enumeration comma 、
   * is not a boundary: it separates list items, as in "衣服纹理、背景大楼".
   */
  private static final Pattern BOUNDARY =
      Pattern.compile(
          "[,，;；。!！?？\\n]+|\\.(?=\\s|$)"
              + "|\\s+(?:and|but|while)\\s+(?=(?:keep|keeping|preserve|preserving|leave|leaving"
              + "|maintain|maintaining|retain|retaining)\\b)"
              + "|(?:并且|并|同时|但)(?=保持|维持|保留)");

  private static final Pattern LEADING_FILLER =
      Pattern.compile(
          "^(?:(?:please|then|now|also|next|finally)\\s+|请|然后|接着|再|最后|另外)+",
          Pattern.CASE_INSENSITIVE);

  private Clauses() {}

  /** The non-blank clauses of {@code text}, trimmed, in order. */
  static List<String> split(String text) {
    List<String> clauses = new ArrayList<>();
    for (String part : BOUNDARY.split(text)) {
      String clause = part.strip();
      if (!clause.isEmpty()) {
        clauses.add(clause);
      }
    }
    return clauses;
  }

  /**
   * Whether {@code clause} only says what to leave alone ("keep the lighting unchanged",
   * "其他元素保持不变"): such clauses steer one edit and mean nothing to a fresh render.
   */
  static boolean isKeepClause(String clause) {
    return dev.atelier.core.edit.KeepClause.matches(clause);
  }

  /** {@code clause} without leading politeness and sequencing words ("please", "then", "请"). */
  static String stripFiller(String clause) {
    String stripped = LEADING_FILLER.matcher(clause).replaceFirst("").strip();
    return stripped.isEmpty() ? clause : stripped;
  }

  /**
   * The key under which two clauses count as duplicates: lowercase, whitespace collapsed, outer
   * punctuation removed, so "Soft side light." and "soft side light" are the same clause.
   */
  static String normalized(String clause) {
    return clause
        .toLowerCase(Locale.ROOT)
        .replaceAll("\\s+", " ")
        .replaceAll("^[\\p{Punct}\\p{IsPunctuation}\\s]+|[\\p{Punct}\\p{IsPunctuation}\\s]+$", "")
        .strip();
  }

  /** See {@link dev.atelier.core.Scripts#isChinese}. */
  static boolean isChinese(String text) {
    return dev.atelier.core.Scripts.isChinese(text);
  }
}
