package dev.atelier.core.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The guide's last two W's: what to keep (the "immutable list") and the key constraint, read from
 * keep-clauses such as "衣服纹理、背景大楼、姿势全部严格保持不变" or "keep the lighting and the other furniture
 * unchanged".
 */
final class KeepConstraints {

  private static final Pattern KEEP_WORDS_ZH =
      Pattern.compile(
          "保持|维持|保留|严格地?|完全|全部|一律|务必|需要|都|均|不要改变|不要改动|不要改|不要动|别动|别改|勿改"
              + "|不作改动|不做改动|不变|原样|原状|完整|一致|不动");
  private static final Pattern SPLIT_ZH = Pattern.compile("[、，,和与及跟]|以及");
  private static final Pattern KEEP_LEAD_EN =
      Pattern.compile(
          "^(?:(?:and|but|while|please|also|just|strictly|carefully)\\s+)*(?:keep|keeping|preserve|preserving"
              + "|maintain|maintaining|retain|retaining|leave|leaving|(?:do\\s+not|don't|without)\\s+"
              + "(?:change|changing|alter|altering|touch|touching|modify|modifying))\\s+");
  private static final Pattern KEEP_TAIL_EN =
      Pattern.compile(
          "\\s+(?:(?:exactly|strictly|completely|fully|entirely|all)\\s+)?(?:unchanged|untouched"
              + "|intact|as\\s+(?:is|before|it\\s+is|they\\s+are)|the\\s+same|exactly(?:\\s+as\\s+"
              + "(?:is|it\\s+is|they\\s+are))?|(?:stays?|remains?)\\s+the\\s+same)$");
  private static final Pattern SPLIT_EN = Pattern.compile("\\s*(?:,\\s*and|,|&|\\band\\b)\\s*");

  private static final Pattern STRICT_ZH =
      Pattern.compile("严格|完全不变|完全保持|一切不变|保持.{0,60}?不变|不变$|保持原样|丝毫不变|一模一样|完全一致");
  private static final Pattern STRICT_EN =
      Pattern.compile(
          "\\bstrictly\\b|\\bexactly\\b|\\bprecisely\\b|\\bnothing\\s+else\\b"
              + "|\\b(?:keep|keeping|leave|leaving)\\b.{0,120}?\\b(?:unchanged|untouched|the\\s+same)\\b"
              + "|\\bunchanged\\b",
          Pattern.CASE_INSENSITIVE);

  /**
   * Keep items that name the complement of the target rather than a thing in the picture: "keep
   * everything else unchanged", "其他保持不变", "其余不变". A grounding model reads such a phrase as the
   * whole image, which would swallow the target (a 400 "target lies entirely inside the keep
   * regions"), so they never become keep targets; the plan records them as {@link
   * EditPlan#keepEverythingElse()}, which every local edit honours anyway by compositing.
   */
  private static final Pattern EVERYTHING_ELSE_EN =
      Pattern.compile(
          "(?:(?:all|absolutely)\\s+)?(?:everything|anything|all)(?:\\s+(?:else|other))?"
              + "(?:\\s+(?:in|of|on)\\s+(?:the\\s+)?(?:image|picture|photo|scene|frame|shot))?"
              + "|(?:all\\s+)?(?:the\\s+)?rest(?:\\s+of\\s+(?:it|the\\s+(?:image|picture|photo|scene"
              + "|frame|shot)))?"
              + "|(?:all\\s+)?(?:the\\s+)?other\\s+(?:elements?|parts?|things|areas?|regions?|details)"
              + "|(?:all\\s+)?(?:the\\s+)?remaining\\s+(?:elements?|parts?|areas?|image|picture|scene)"
              + "|everything\\s+(?:besides|apart\\s+from|other\\s+than|except)\\s+.+");

  private static final Pattern EVERYTHING_ELSE_ZH =
      Pattern.compile(
          "(?:画面)?(?:其他|其它|其余|剩余|剩下)(?:的)?(?:一切|所有|全部|部分|元素|地方|区域|内容|画面|东西)?"
              + "|一切|所有|全部|其余一切|其他所有的?东西|(?:除此之外|除此以外)的?(?:一切|所有)?");

  private KeepConstraints() {}

  /**
   * Whether a keep item (as {@link #items} returns it) means "everything outside the target" rather
   * than a thing that could be grounded.
   */
  static boolean isEverythingElse(String item, boolean chinese) {
    String text = item.strip().toLowerCase(Locale.ROOT);
    return chinese
        ? EVERYTHING_ELSE_ZH.matcher(text.replaceAll("\\s+", "")).matches()
        : EVERYTHING_ELSE_EN.matcher(text.replaceAll("\\s+", " ")).matches();
  }

  /** Whether {@code instruction} demands that everything it does not change is preserved. */
  static boolean isStrict(String instruction) {
    if (STRICT_EN.matcher(instruction).find()) {
      return true;
    }
    for (String clause : PlannerText.clauses(instruction)) {
      if (STRICT_ZH.matcher(clause).find()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The items a keep-clause names, as written (translate them afterwards), in order; "保持不变" alone
   * names none.
   */
  static List<String> items(String keepClause, boolean chinese) {
    List<String> out = new ArrayList<>();
    if (chinese) {
      String rest = KEEP_WORDS_ZH.matcher(keepClause.replaceAll("\\s+", "")).replaceAll("");
      for (String part : SPLIT_ZH.split(rest)) {
        String item = part.strip().replaceAll("^的|的$", "");
        if (!item.isEmpty()) {
          out.add(item);
        }
      }
      return out;
    }
    String lower = keepClause.strip().toLowerCase(Locale.ROOT).replaceFirst("[.!]+$", "");
    String rest =
        KEEP_TAIL_EN.matcher(KEEP_LEAD_EN.matcher(lower).replaceFirst("")).replaceFirst("");
    for (String part : SPLIT_EN.split(rest)) {
      String item = PlannerText.stripArticle(part);
      if (!item.isEmpty() && !item.matches("it|them|this|that")) {
        out.add(item);
      }
    }
    return out;
  }
}
