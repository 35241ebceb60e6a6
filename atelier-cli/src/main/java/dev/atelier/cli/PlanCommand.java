package dev.atelier.cli;

import dev.atelier.core.edit.EditPlanner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code atelier plan TEXT}: prints the 3W1K edit plan of an instruction as JSON. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Print the 3W1K edit plan of a plain-words instruction (English or Chinese) as JSON.",
      "Fields: operation, scope, target, attribute, from, to, keep, keep_everything_else,"
          + " strict, warnings.",
      "Loads no model."
    })
final class PlanCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TEXT", description = "The instruction.")
  String text;

  @Override
  public Integer call() {
    if (text.isBlank()) {
      throw new ParameterException(spec.commandLine(), "TEXT must not be empty");
    }
    spec.commandLine().getOut().println(new EditPlanner().plan(text).toJson());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
