package dev.atelier.core.session;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Folds a chain of edit instructions into one prompt for a restart, as the practitioner's guide
 * advises after 3-4 rounds: "restart from the first image and merge earlier modifications into a
 * single prompt".
 *
 * <p>{@link #merge} is deterministic and works clause by clause:
 *
 * <ol>
 *   <li>The base and every instruction are split into clauses at commas, semicolons and sentence
 *       ends (ASCII and full-width), newlines, and before a conjunction that opens a keep-clause
 *       ("..., and keep", "...并保持"). The enumeration comma 、 does not split.
 *   <li>From instructions only, keep-clauses are dropped: clauses that start with keep, preserve,
 *       maintain, retain, leave or "do not change", clauses that end with unchanged, untouched,
 *       intact or "stays the same", and Chinese clauses containing 保持, 维持, 保留, 不变, 原样 or 不要改. They
 *       steer a single edit against drift; a fresh render has nothing to drift from. Leading
 *       "please", "then", "now", 请, 然后, 再 and the like are removed from the rest.
 *   <li>A later instruction clause removes an earlier instruction clause about the same thing (see
 *       {@link ChangeTarget}): same object, and the later one replaces or removes the object, or
 *       restates every attribute (colour, material, style, size, shape, text) the earlier one set.
 *       So "change the sofa to green" then "make the sofa emerald" keeps only the latter, while
 *       "make the cup matte dark green" then "make the cup red" keeps both, in order, because the
 *       finish was not restated. Base clauses are never removed: the base cannot be rewritten
 *       reliably, and a later instruction placed after it reads as the correction.
 *   <li>Clauses equal after lowercasing, collapsing whitespace and trimming punctuation are
 *       duplicates; the first is kept.
 *   <li>The remaining clauses, base first, are joined with "，" when the base reads as Chinese (more
 *       Han characters than Latin words) and ", " otherwise; with a blank base (a session started
 *       from an uploaded image) the instructions decide the language. No final punctuation is
 *       added.
 * </ol>
 */
public final class PromptMerger {

  private PromptMerger() {}

  /**
   * One prompt equivalent to {@code basePrompt} followed by {@code instructions}, for a fresh
   * render.
   *
   * @param basePrompt the prompt of the chain's first round (the CREATE prompt, or a previous
   *     restart's merged prompt), {@code ""} when the session started from an uploaded image
   * @param instructions the edit instructions, oldest first
   * @return the merged prompt; {@code ""} when nothing but keep-clauses was given
   */
  public static String merge(String basePrompt, List<String> instructions) {
    Objects.requireNonNull(basePrompt, "basePrompt");
    List<String> edits = List.copyOf(instructions);
    List<Clause> clauses = new ArrayList<>();
    for (String text : Clauses.split(basePrompt)) {
      clauses.add(new Clause(text, Optional.empty(), true));
    }
    for (String instruction : edits) {
      for (String text : Clauses.split(instruction)) {
        if (Clauses.isKeepClause(text)) {
          continue;
        }
        String change = Clauses.stripFiller(text);
        Optional<ChangeTarget> target = ChangeTarget.of(change);
        target.ifPresent(
            later ->
                clauses.removeIf(
                    c ->
                        !c.fromBase()
                            && c.target().isPresent()
                            && later.supersedes(c.target().get())));
        clauses.add(new Clause(change, target, false));
      }
    }
    Set<String> seen = new HashSet<>();
    List<String> kept = new ArrayList<>();
    for (Clause clause : clauses) {
      if (seen.add(Clauses.normalized(clause.text()))) {
        kept.add(clause.text());
      }
    }
    boolean chinese =
        basePrompt.isBlank()
            ? Clauses.isChinese(String.join(" ", edits))
            : Clauses.isChinese(basePrompt);
    return String.join(chinese ? "，" : ", ", kept);
  }

  private record Clause(String text, Optional<ChangeTarget> target, boolean fromBase) {}
}
