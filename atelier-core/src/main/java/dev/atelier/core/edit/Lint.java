package dev.atelier.core.edit;

import dev.atelier.core.session.RoundWarnings;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The warnings an {@link EditPlan} carries, worded once here so that the planner and its tests
 * agree. They follow the guide: one variable per round, an immutable list on every strict edit, and
 * a new session instead of editing for structural changes.
 */
final class Lint {

  static final String NO_TARGET = "no target recognised: name the object to change or send a mask";

  static final String STRICT_WITHOUT_KEEP =
      "strict edit without a keep-list: name what must stay unchanged (3W1K's 'what to keep'),"
          + " e.g. \"keep the lighting and the other furniture unchanged\"";

  private static final Pattern ORDINAL_ZH = Pattern.compile("第(?:[一二两三四五六七八九十]{1,3}|\\d{1,3})");

  private Lint() {}

  /** The warning for a phrase whose words the lexicon and translator could not render. */
  static String lexiconMiss(String missing, String phrase) {
    return "no English for \""
        + missing
        + "\" in \""
        + phrase
        + "\": rephrase it in English or send a mask";
  }

  /** The warning for an instruction that changes {@code count} things at once. */
  static String multipleVariables(int count) {
    return "the instruction changes "
        + count
        + " things at once: change one variable per round and split it into "
        + count
        + " instructions, so the rest of the image stays stable";
  }

  /** The warning for a structural change of the given kind. */
  static String structural(String kind) {
    return "structural change ("
        + kind
        + "): round-by-round editing suits attributes, not structure; start a new session with a"
        + " prompt that describes the new "
        + kind;
  }

  /** The structural-change warning for {@code instruction}, if it asks for one. */
  static Optional<String> structuralFor(String instruction) {
    // RoundWarnings reads "第二只猫" (the second cat) as "two cats"; an ordinal picks one of several
    // existing subjects and never changes their number, so it is removed before the check.
    String withoutOrdinals = ORDINAL_ZH.matcher(instruction).replaceAll("");
    return RoundWarnings.structuralChange(withoutOrdinals).map(Lint::structural);
  }
}
