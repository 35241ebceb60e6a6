package dev.atelier.cli;

import dev.atelier.core.AtelierException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code atelier} executable.
 *
 * <p>Exit codes: 0 success; 2 bad arguments or a request the model cannot serve (one line on stderr
 * naming the option); 3 model missing or unloadable; 4 the upstream image API refused or failed;
 * 130 cancelled; 1 anything else.
 */
@Command(
    name = "atelier",
    mixinStandardHelpOptions = true,
    version = "atelier 0.1.0",
    description = "Self-hosted image generation and editing on the JVM.",
    subcommands = {
      ServeCommand.class,
      WorkerCommand.class,
      GenerateCommand.class,
      EditCommand.class,
      PlanCommand.class,
      DoctorCommand.class,
      ModelsCommand.class,
      KeysCommand.class,
      JobsCommand.class,
      WorkersCommand.class,
      BenchCommand.class,
      BenchBatchesCommand.class,
      BenchServerCommand.class
    })
public final class AtelierCommand implements Runnable {
  @picocli.CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "a command is required: serve, worker, generate, edit, plan, models, keys, jobs, workers"
            + " or bench");
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code (for tests). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new AtelierCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr()
              .println(
                  cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage() + " (see --help)");
          cmd.getErr().flush();
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          // "atelier keys create", not just "create", for nested subcommands.
          String name = cmd.getCommandSpec().qualifiedName();
          int code;
          String message;
          if (ex instanceof AtelierException.InvalidRequest e) {
            code = 2;
            message = (e.param().isEmpty() ? "" : e.param() + ": ") + e.getMessage();
          } else if (ex instanceof AtelierException.ModelUnavailable) {
            code = 3;
            message = ex.getMessage();
          } else if (ex instanceof AtelierException.Cancelled) {
            code = 130;
            message = ex.getMessage();
          } else if (ex instanceof AtelierException.UpstreamFailure e) {
            code = 4;
            message = "upstream answered " + e.status() + ": " + e.getMessage();
          } else if (ex instanceof IllegalArgumentException) {
            code = 2;
            message = ex.getMessage();
          } else {
            code = 1;
            message = ex.toString();
          }
          cmd.getErr().println(name + ": " + message);
          cmd.getErr().flush();
          return code;
        });
    return cli.execute(args);
  }
}
