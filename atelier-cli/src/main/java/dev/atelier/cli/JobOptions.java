package dev.atelier.cli;

import dev.atelier.server.jobs.JobRunner;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code serve}'s job scheduling: workers, queue size, leases, and how long a stop (SIGTERM) lets
 * running jobs finish.
 */
final class JobOptions {
  /** Workers of the local engine: one job already uses every core. */
  static final int LOCAL_WORKERS = 1;

  /** Workers of the upstream engine: its jobs mostly wait on the network. */
  static final int UPSTREAM_WORKERS = 4;

  @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description =
          "Jobs run at once. Default: "
              + LOCAL_WORKERS
              + " for the local engine (one job uses every core), "
              + UPSTREAM_WORKERS
              + " for --engine openai (its jobs wait on the network).")
  Integer workers;

  @Option(
      names = "--queue-size",
      paramLabel = "N",
      defaultValue = "32",
      description =
          "Jobs waiting at most; more are refused with 429 and Retry-After. Default:"
              + " ${DEFAULT-VALUE}.")
  int queueSize;

  @Option(
      names = "--drain-timeout",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description =
          "On SIGTERM or Ctrl-C: how long running jobs get to finish before they are given back"
              + " to the queue for the next start. Default: ${DEFAULT-VALUE}.")
  long drainTimeoutSeconds;

  @Option(
      names = "--job-lease",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "How long a running job's claim holds without a heartbeat; a job whose process died is"
              + " taken back after it. Default: ${DEFAULT-VALUE}.")
  long leaseSeconds;

  /**
   * The scheduler settings the flags set, for an engine that is upstream or not.
   *
   * @throws ParameterException naming the first flag out of range
   */
  JobRunner.Settings settings(boolean upstream) {
    int n = workers == null ? (upstream ? UPSTREAM_WORKERS : LOCAL_WORKERS) : workers;
    atLeast("--workers", n, 1);
    atLeast("--queue-size", queueSize, 1);
    atLeast("--job-lease", leaseSeconds, 1);
    drainTimeout();
    return JobRunner.Settings.DEFAULT
        .withWorkers(n)
        .withQueueSize(queueSize)
        .withLease(Duration.ofSeconds(leaseSeconds));
  }

  /**
   * How long a stop waits for running jobs.
   *
   * @throws ParameterException when {@code --drain-timeout} is negative
   */
  Duration drainTimeout() {
    atLeast("--drain-timeout", drainTimeoutSeconds, 0);
    return Duration.ofSeconds(drainTimeoutSeconds);
  }

  /** The banner's line about jobs. */
  static String banner(JobRunner.Settings s, Duration drain) {
    return s.workers()
        + (s.workers() == 1 ? " worker" : " workers")
        + ", queue "
        + s.queueSize()
        + ", lease "
        + s.lease().toSeconds()
        + " s, drain "
        + drain.toSeconds()
        + " s (/v1/jobs, `atelier jobs`)";
  }

  private void atLeast(String flag, long value, long min) {
    if (value < min) {
      throw new ParameterException(
          spec.commandLine(), flag + " must be at least " + min + " but was " + value);
    }
  }
}
