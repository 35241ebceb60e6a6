package dev.atelier.core.edit;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises a clause that only says what to leave alone ("keep the lighting unchanged",
 * "其他元素保持不变"), for the edit planner (the keep-list of a plan) and for session restarts (such
 * clauses steer one edit and mean nothing to a fresh render).
 */
public final class KeepClause {
  private static final Pattern KEEP_EN =
      Pattern.compile(
          "^(?:(?:and|but|while|please|also|just)\\s+)*"
              + "(?:keep|keeping|preserve|preserving|maintain|maintaining|retain|retaining"
              + "|leave|leaving|(?:do\\s+not|don't|without)\\s+"
              + "(?:change|changing|alter|altering|touch|touching|modify|modifying))\\b.*"
              + "|.*\\b(?:unchanged|untouched|intact|as\\s+(?:is|before)"
              + "|(?:stays?|remains?|kept|keeps?|staying|remaining)\\s+the\\s+same)$");

  private static final Pattern KEEP_ZH = Pattern.compile("保持|维持|保留|不变|原样|不要改|不要动|别动|勿改|不作改动|不做改动");

  private KeepClause() {}

  /** Whether {@code clause} only says what to leave alone. */
  public static boolean matches(String clause) {
    String lower = clause.strip().toLowerCase(Locale.ROOT);
    return KEEP_EN.matcher(lower).matches() || KEEP_ZH.matcher(lower).find();
  }
}
