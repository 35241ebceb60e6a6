package dev.atelier.cli;

import dev.atelier.core.ProgressListener;
import dev.atelier.core.StepProgress;
import java.io.PrintWriter;

/**
 * A one-line progress bar (on stderr): {@code [#####-----] step 5/10 0.84 s/step}; redrawn in place
 * on a terminal, one line per step otherwise (logs stay readable).
 */
final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 24;
  private final PrintWriter out;
  private final boolean terminal;
  private final String label;
  private long start;
  private int shownStep;
  private int shownSteps;

  ProgressBar(PrintWriter out, boolean terminal, String label) {
    this.out = out;
    this.terminal = terminal;
    this.label = label;
  }

  static ProgressBar stderr(String label) {
    return new ProgressBar(new PrintWriter(System.err, true), System.console() != null, label);
  }

  /** Marks the start of the timed run. */
  void start() {
    start = System.nanoTime();
  }

  @Override
  public void onStep(StepProgress p) {
    if (start == 0) {
      start();
    }
    shownStep = p.step();
    shownSteps = p.totalSteps();
    double perStep = (System.nanoTime() - start) / 1e9 / p.step();
    int filled = p.step() * WIDTH / p.totalSteps();
    String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    String line =
        String.format(
            java.util.Locale.ROOT,
            "%s [%s] step %d/%d  %.2f s/step",
            label,
            bar,
            p.step(),
            p.totalSteps(),
            perStep);
    if (terminal) {
      out.print("\r" + line + (p.step() == p.totalSteps() ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  /**
   * Draws {@code step/steps} unless the bar already shows it: a job followed after (or while) it
   * ended still ends with its final bar, whatever events the stream carried before the end.
   */
  void showFinal(int step, int steps) {
    if (steps > 0 && step >= 1 && step <= steps && (step != shownStep || steps != shownSteps)) {
      onStep(new StepProgress(step, steps, java.util.Optional::empty));
    }
  }
}
