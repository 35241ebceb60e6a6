package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.server.jobs.JobRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code serve}'s job flags: defaults per engine, validation naming the flag, --help. */
class JobOptionsTest {
  @Command(name = "jobs")
  static final class Holder {
    @Mixin JobOptions options;
  }

  private static JobOptions parse(String... args) {
    Holder h = new Holder();
    new CommandLine(h).parseArgs(args);
    return h.options;
  }

  @Test
  void oneWorkerForTheLocalEngineFourForTheUpstreamAndTheRunnersOtherDefaults() {
    JobRunner.Settings local = parse().settings(false);
    assertThat(local).isEqualTo(JobRunner.Settings.DEFAULT);
    assertThat(local.workers()).isEqualTo(1);
    assertThat(parse().settings(true)).isEqualTo(JobRunner.Settings.DEFAULT.withWorkers(4));
    assertThat(parse().drainTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(JobOptions.banner(local, Duration.ofSeconds(60)))
        .isEqualTo("1 worker, queue 32, lease 30 s, drain 60 s (/v1/jobs, `atelier jobs`)");
  }

  @Test
  void flagsSetWorkersQueueLeaseAndDrain() {
    JobOptions o =
        parse("--workers", "3", "--queue-size", "5", "--job-lease", "9", "--drain-timeout", "0");
    assertThat(o.settings(false))
        .isEqualTo(
            JobRunner.Settings.DEFAULT
                .withWorkers(3)
                .withQueueSize(5)
                .withLease(Duration.ofSeconds(9)));
    assertThat(o.drainTimeout()).isZero();
    assertThat(JobOptions.banner(o.settings(true), o.drainTimeout()))
        .startsWith("3 workers, queue 5, lease 9 s, drain 0 s");
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFlag() {
    assertThatThrownBy(() -> parse("--workers", "0").settings(true))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("--workers must be at least 1 but was 0");
    assertThatThrownBy(() -> parse("--queue-size", "-1").settings(false))
        .hasMessage("--queue-size must be at least 1 but was -1");
    assertThatThrownBy(() -> parse("--job-lease", "0").settings(false))
        .hasMessage("--job-lease must be at least 1 but was 0");
    assertThatThrownBy(() -> parse("--drain-timeout", "-5").settings(false))
        .hasMessage("--drain-timeout must be at least 0 but was -5");
    Run r = run("serve", "--workers", "0", "--port", "0");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo("atelier serve: --workers must be at least 1 but was 0 (see --help)\n");
  }

  @Test
  void serveHelpShowsTheJobFlags() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new ServeCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.execute("--help");
    assertThat(out.toString().replaceAll("\\s+", " "))
        .contains("--workers=N Jobs run at once. Default: 1 for the local engine")
        .contains("4 for --engine openai")
        .contains("--queue-size=N")
        .contains("--drain-timeout=SECONDS")
        .contains("--job-lease=SECONDS");
  }

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AtelierCommand.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }
}
