package dev.atelier.cli;

import dev.atelier.server.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/**
 * {@code atelier worker}: {@code serve --role worker}. Loads its engine, registers in the {@code
 * workers} table, claims the queued jobs of the models it serves and commits their results to the
 * shared store; answers only {@code /healthz}, {@code /readyz} (200 once its model is warm) and
 * {@code /metrics}. SIGTERM stops claiming, gives a job still running after {@code --drain-timeout}
 * back to the queue, and exits.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Run queued image jobs for API nodes (serve --role api): load the model(s), claim their",
      "jobs from the shared PostgreSQL (--database-url), store images in the shared blob store",
      "(--blob-store s3://BUCKET/PREFIX). Serves only /healthz, /readyz (200 once the model is",
      "warm) and /metrics. SIGTERM: stop claiming; a job still running after --drain-timeout is",
      "given back to the queue for another worker. The same options as serve."
    })
final class WorkerCommand extends ServeCommand {
  @Override
  Role role() {
    if (roleName != null && !roleName.isBlank() && !roleName.strip().equals("worker")) {
      throw new ParameterException(
          spec.commandLine(),
          "atelier worker is serve --role worker; --role " + roleName + " does not apply");
    }
    return Role.WORKER;
  }
}
