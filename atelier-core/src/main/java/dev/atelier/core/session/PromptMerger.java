package dev.atelier.core.session;

import dev.atelier.core.edit.EditPlan;
import dev.atelier.core.edit.EditPlanner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Folds a chain of edit rounds into one prompt for a restart, as the practitioner's guide advises
 * after 3-4 rounds: "restart from the first image and merge earlier modifications into a single
 * prompt".
 *
 * <p>{@link #consolidate} is deterministic and works round by round on the base prompt's clauses
 * (split at commas, semicolons and sentence ends, ASCII and full-width; the enumeration comma 、
 * does not split):
 *
 * <ol>
 *   <li>Rounds that were undone (not on the head's path) and rounds that change the structure
 *       (composition, orientation, number of subjects, viewpoint: {@link
 *       RoundWarnings#structuralChange}) are left out, each with a warning naming the round's
 *       instruction and why: iteration changes attributes, structure needs a new prompt.
 *   <li>Keep-clauses are dropped (they steer one edit against drift; a fresh render has nothing to
 *       drift from), and leading "please", "then", 请, 然后 and the like.
 *   <li>The round's plan ({@link EditPlanner}) rewrites the prompt where it already describes the
 *       target: a from-&gt;to on the target's attribute replaces the old value in place ("a modern
 *       living room with a light grey sofa" + "change the sofa to deep emerald green" -&gt; "a
 *       modern living room with a deep emerald green sofa"; "浅灰色沙发" + "把沙发颜色从浅灰色改为深宝石绿" -&gt;
 *       "深宝石绿沙发"), and an object swap replaces the noun phrase. See {@link PromptRewriter}.
 *   <li>Otherwise the round adds a descriptive clause ("make the lamp brighter" -&gt; "with a
 *       brighter lamp", "make it a watercolor painting" -&gt; "as a watercolor painting"), or,
 *       where the plan cannot be put that way, the instruction's own change clause. A later such
 *       clause about the same thing (see {@link ChangeTarget}) removes an earlier one.
 *   <li>Clauses equal after lowercasing, collapsing whitespace and trimming punctuation are
 *       duplicates; the first is kept. The clauses are joined with "，" when the base reads as
 *       Chinese and ", " otherwise; with a blank base (a session started from an uploaded image
 *       without a prompt) the instructions decide the language.
 * </ol>
 */
public final class PromptMerger {

  private static final EditPlanner PLANNER = new EditPlanner();

  private PromptMerger() {}

  /**
   * One round of a session chain, as the merge sees it.
   *
   * @param roundId the round's id, for the result's lists and warnings
   * @param instruction the round's instruction
   * @param undone whether the round is not on the head's path (undone, or on another branch)
   */
  public record Step(String roundId, String instruction, boolean undone) {
    /** Checks for nulls. */
    public Step {
      Objects.requireNonNull(roundId, "roundId");
      Objects.requireNonNull(instruction, "instruction");
    }
  }

  /**
   * A round that the merged prompt leaves out.
   *
   * @param roundId the round's id
   * @param instruction its instruction
   * @param reason why, in words ("it was undone ...", "it changes the orientation ...")
   */
  public record Omitted(String roundId, String instruction, String reason) {}

  /**
   * The outcome of a merge.
   *
   * @param prompt the merged prompt; {@code ""} when there was nothing but keep-clauses
   * @param merged the ids of the rounds folded in, in order
   * @param omitted the rounds left out, in order
   * @param warnings one sentence per omitted round, naming its instruction and why
   */
  public record Merge(
      String prompt, List<String> merged, List<Omitted> omitted, List<String> warnings) {
    /** Copies the lists. */
    public Merge {
      Objects.requireNonNull(prompt, "prompt");
      merged = List.copyOf(merged);
      omitted = List.copyOf(omitted);
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * One prompt equivalent to {@code basePrompt} followed by the rounds on the path, as the class
   * describes.
   *
   * @param basePrompt the prompt of the chain's first round (the CREATE prompt, or a previous
   *     restart's merged prompt), {@code ""} when the session started from an image without one
   * @param steps the chain's edit rounds, oldest first; undone ones are reported, never merged
   * @return the merged prompt with what went in and what was left out
   */
  public static Merge consolidate(String basePrompt, List<Step> steps) {
    Objects.requireNonNull(basePrompt, "basePrompt");
    List<Step> rounds = List.copyOf(steps);
    List<Step> onPath = rounds.stream().filter(r -> !r.undone()).toList();
    boolean chinese =
        basePrompt.isBlank()
            ? Clauses.isChinese(String.join(" ", onPath.stream().map(Step::instruction).toList()))
            : Clauses.isChinese(basePrompt);
    PromptRewriter rewriter = new PromptRewriter();
    List<Clause> clauses = new ArrayList<>();
    for (String text : Clauses.split(basePrompt)) {
      clauses.add(new Clause(text, Optional.empty(), true));
    }
    List<String> merged = new ArrayList<>();
    List<Omitted> omitted = new ArrayList<>();
    for (Step step : rounds) {
      if (step.undone()) {
        omitted.add(
            new Omitted(
                step.roundId(),
                step.instruction(),
                "it was undone (it is not on the head's path)"));
        continue;
      }
      Optional<String> structural = RoundWarnings.structuralChange(step.instruction());
      if (structural.isPresent()) {
        omitted.add(
            new Omitted(
                step.roundId(),
                step.instruction(),
                "it changes the "
                    + structural.get()
                    + ", a structural change that a re-render of the first image cannot make;"
                    + " start a new session with a prompt that describes it"));
        continue;
      }
      merged.add(step.roundId());
      fold(step.instruction(), clauses, rewriter, chinese);
    }
    Set<String> seen = new HashSet<>();
    List<String> kept = new ArrayList<>();
    for (Clause clause : clauses) {
      if (seen.add(Clauses.normalized(clause.text()))) {
        kept.add(clause.text());
      }
    }
    List<String> warnings = new ArrayList<>();
    for (Omitted o : omitted) {
      warnings.add(
          "round "
              + o.roundId()
              + " (\""
              + o.instruction()
              + "\") was left out of the merged prompt: "
              + o.reason());
    }
    return new Merge(String.join(chinese ? "，" : ", ", kept), merged, omitted, warnings);
  }

  /**
   * {@link #consolidate} for instructions without round ids, none undone: the merged prompt only.
   *
   * @param basePrompt as for {@link #consolidate}
   * @param instructions the edit instructions, oldest first
   * @return the merged prompt; {@code ""} when nothing but keep-clauses was given
   */
  public static String merge(String basePrompt, List<String> instructions) {
    Objects.requireNonNull(basePrompt, "basePrompt");
    List<Step> steps = new ArrayList<>();
    for (String instruction : instructions) {
      steps.add(new Step("", instruction, false));
    }
    return consolidate(basePrompt, steps).prompt();
  }

  /** Folds one instruction into {@code clauses}: a rewrite in place, or clauses appended. */
  private static void fold(
      String instruction, List<Clause> clauses, PromptRewriter rewriter, boolean chinese) {
    List<String> changes = new ArrayList<>();
    for (String text : Clauses.split(instruction)) {
      if (!Clauses.isKeepClause(text)) {
        changes.add(Clauses.stripFiller(text));
      }
    }
    if (changes.isEmpty()) {
      return;
    }
    EditPlan plan = PLANNER.plan(instruction);
    // A Chinese prompt is rewritten with the instruction's Chinese words; an English one with the
    // plan's English, whichever language the instruction was in.
    boolean zh = chinese && Clauses.isChinese(changes.get(0));
    boolean wordsFit = zh || !chinese;
    String first = changes.get(0);
    List<String> texts = new ArrayList<>(clauses.stream().map(Clause::text).toList());
    if (wordsFit && rewriter.rewrite(texts, first, plan, zh)) {
      for (int i = 0; i < texts.size(); i++) {
        Clause c = clauses.get(i);
        clauses.set(i, new Clause(texts.get(i), c.target(), c.fromBase()));
      }
    } else {
      Optional<String> described = wordsFit ? rewriter.describe(first, plan, zh) : Optional.empty();
      add(clauses, described.orElse(first), ChangeTarget.of(first));
    }
    for (String change : changes.subList(1, changes.size())) {
      add(clauses, change, ChangeTarget.of(change));
    }
  }

  /** Appends a clause, first removing earlier appended clauses it supersedes. */
  private static void add(List<Clause> clauses, String text, Optional<ChangeTarget> target) {
    target.ifPresent(
        later ->
            clauses.removeIf(
                c ->
                    !c.fromBase() && c.target().isPresent() && later.supersedes(c.target().get())));
    clauses.add(new Clause(text, target, false));
  }

  private record Clause(String text, Optional<ChangeTarget> target, boolean fromBase) {}
}
