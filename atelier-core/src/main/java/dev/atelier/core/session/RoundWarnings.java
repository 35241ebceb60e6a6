package dev.atelier.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Warnings a session attaches to an edit round, from the practitioner's guide: iterate on
 * attributes, not structure, and restart after 3-4 rounds because every round adds a little blur
 * and colour shift.
 *
 * <p>Structural changes are found with fixed English and Chinese patterns, checked per clause and
 * only in clauses that are not keep-clauses, so "保持构图不变,改成水彩风格" (keep the composition, change the
 * style) is a style edit, not a composition change. The patterns favour missing a rare phrasing
 * over warning on ordinary local edits such as "replace the table with white marble".
 */
public final class RoundWarnings {

  /** Rounds since the last restart above which quality is expected to degrade. */
  public static final int MAX_ROUNDS_BEFORE_RESTART = 4;

  private static final String SUBJECTS_EN =
      "(?:people|persons?|m[ae]n|wom[ae]n|child(?:ren)?|kids?|boys?|girls?|bab(?:y|ies)"
          + "|characters?|figures?|subjects?|cats?|dogs?|animals?|birds?|horses?"
          + "|pupp(?:y|ies)|kittens?)(?![-'])";
  private static final String COUNT_EN =
      "(?:two|three|four|five|six|seven|eight|nine|ten|several|multiple|many|\\d+)";
  private static final String SUBJECTS_ZH = "(?:人物|人|孩子|小孩|男孩|女孩|男人|女人|猫|狗|鸟|马(?!克)|动物|角色)";
  private static final String COUNT_ZH = "(?:两|二|三|四|五|六|七|八|九|十|几|多|\\d+)";

  private static final Pattern COMPOSITION =
      Pattern.compile(
          "\\bcompos(?:ition|e)\\b|\\bre-?(?:arrange|compose|frame)|\\blayout\\b|\\bcrop\\b"
              + "|构图|布局|重新排列|重新安排|排版");
  private static final Pattern ORIENTATION =
      Pattern.compile(
          "\\b(?:landscape|portrait|horizontal|vertical|square)\\s+"
              + "(?:orientation|format|mode|version|layout|image|aspect)"
              + "|\\b(?:to|into|as)\\s+(?:landscape|portrait)\\b(?!\\s+(?:of|painting|photo))"
              + "|\\baspect\\s+ratio\\b|\\bwidescreen\\b"
              + "|(?<![\\d:])\\d{1,2}\\s*:\\s*\\d{1,2}(?![\\d:])"
              + "|横版|竖版|横屏|竖屏|横图|竖图|横向|竖向|宽高比|长宽比|比例");
  // Gaps between a verb and its noun are bounded so matching stays linear on long instructions.
  private static final Pattern SUBJECT_COUNT =
      Pattern.compile(
          "\\b(?:add|adding|include|put|insert|place)\\b[^,;.]{0,60}?"
              + "\\b(?:a|an|one|another|some|more|a few|"
              + COUNT_EN
              + ")\\s+(?:more\\s+)?(?:[a-z-]+\\s+){0,2}?"
              + SUBJECTS_EN
              + "\\b"
              + "|(?<!\\bthe\\s)(?<!\\bboth\\s)\\b"
              + COUNT_EN
              + "\\s+(?:more\\s+)?(?:[a-z-]+\\s+){0,2}?"
              + SUBJECTS_EN
              + "\\b|\\binstead\\s+of\\s+(?:one|a\\s+single)\\b|\\b(?:crowd|group)\\s+of\\b"
              + "|(?:增加|添加|加上|加入|多加|再加|加)[^，,。；;]{0,20}?(?:一|"
              + COUNT_ZH
              + ")(?:个|位|只|名|条|匹|头|群)?[^，,。；;]{0,3}?"
              + SUBJECTS_ZH
              + "|"
              + COUNT_ZH
              + "(?:个|位|只|名|条|匹|头)"
              + SUBJECTS_ZH
              + "|多人|一群");
  private static final Pattern VIEWPOINT =
      Pattern.compile(
          "\\bfrom\\s+(?:above|below|the\\s+side|behind)\\b|\\btop[- ]down\\b"
              + "|\\bbird(?:'s|’s|s'|s)?[- ]eye\\b|\\baerial\\s+view\\b"
              + "|\\boverhead\\s+(?:view|shot)\\b"
              + "|\\bclose[- ]?up\\b|\\b(?:wide|long|medium)\\s+shot\\b|\\bwide[- ]angle\\b"
              + "|\\beye[- ]level\\b|\\b(?:low|high)[- ]angle\\b|\\bcamera\\s+angle\\b"
              + "|\\bpoint\\s+of\\s+view\\b|\\bviewpoint\\b|\\bperspective\\b"
              + "|\\b(?:side|front|profile|rear)\\s+view\\b|\\bzoom\\s+(?:in|out)\\b"
              + "|俯视|俯拍|仰视|仰拍|鸟瞰|平视|侧面|正面视|背面视|特写|视角|镜头|远景|近景|全景");

  private RoundWarnings() {}

  /**
   * The warnings for an edit round, in a fixed order (round count first).
   *
   * @param roundsSinceRestart the new round's {@link Round#roundsSinceRestart()}: 1 for the first
   *     edit after a CREATE or RESTART; above {@value #MAX_ROUNDS_BEFORE_RESTART} it warns
   * @param instruction the round's instruction
   * @return human-readable sentences, empty when there is nothing to say; the restart advice names
   *     the endpoint as {@code POST /v1/sessions/{id}/restart}, literally
   * @throws IllegalArgumentException if {@code roundsSinceRestart} is negative
   */
  public static List<String> forRound(int roundsSinceRestart, String instruction) {
    Objects.requireNonNull(instruction, "instruction");
    if (roundsSinceRestart < 0) {
      throw new IllegalArgumentException(
          "roundsSinceRestart must be >= 0 but was " + roundsSinceRestart);
    }
    List<String> warnings = new ArrayList<>();
    if (roundsSinceRestart > MAX_ROUNDS_BEFORE_RESTART) {
      warnings.add(
          "This is edit round "
              + roundsSinceRestart
              + " since the first image or last restart; images tend to blur and shift colour"
              + " after 3-4 rounds of editing. Consider POST /v1/sessions/{id}/restart to"
              + " re-render from the first image with the instructions merged into one prompt.");
    }
    structuralChange(instruction)
        .ifPresent(
            kind ->
                warnings.add(
                    "The instruction changes the "
                        + kind
                        + ", a structural change; round-by-round editing suits attribute changes"
                        + " and tends to fail or drift on structure. Consider starting a new"
                        + " session with a prompt that describes the new "
                        + kind
                        + "."));
    return List.copyOf(warnings);
  }

  private static final java.util.regex.Pattern ORDINAL_ZH =
      java.util.regex.Pattern.compile("第(?:[一二两三四五六七八九十]{1,3}|\\d{1,3})");

  /**
   * The kind of structural change {@code instruction} asks for, if any: {@code "composition"},
   * {@code "orientation"} (landscape/portrait, aspect ratio), {@code "number of subjects"} or
   * {@code "viewpoint"} (camera angle, distance, perspective). Keep-clauses are ignored; the first
   * clause that matches decides, and within it the first kind in the order above.
   */
  public static Optional<String> structuralChange(String instruction) {
    Objects.requireNonNull(instruction, "instruction");
    for (String clause : Clauses.split(instruction)) {
      if (Clauses.isKeepClause(clause)) {
        continue;
      }
      // An ordinal ("第二只猫", the second cat) picks one of several; it does not count subjects.
      String text = ORDINAL_ZH.matcher(clause.toLowerCase(Locale.ROOT)).replaceAll("");
      if (COMPOSITION.matcher(text).find()) {
        return Optional.of("composition");
      }
      if (ORIENTATION.matcher(text).find()) {
        return Optional.of("orientation");
      }
      if (SUBJECT_COUNT.matcher(text).find()) {
        return Optional.of("number of subjects");
      }
      if (VIEWPOINT.matcher(text).find()) {
        return Optional.of("viewpoint");
      }
    }
    return Optional.empty();
  }
}
