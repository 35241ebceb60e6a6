package dev.atelier.cli;

import dev.atelier.core.json.JsonValue;
import dev.atelier.server.jobs.JobExecutor;
import dev.atelier.server.jobs.JobListener;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.store.DatabaseUrl;
import dev.atelier.store.JdbcMetadataStore;
import dev.atelier.store.Job;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.PoolSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The job queue's throughput with 1, 2 and 4 workers over one real PostgreSQL: a benchmark harness,
 * not a timed test (tag {@code bench}, excluded from {@code ./mvnw verify}; it asserts nothing
 * about time). Each worker is a {@link JobRunner} with one job at a time and a store (and HikariCP
 * pool) of its own, as a separate process has; its engine is a fake that takes a fixed time per
 * job. Every job is queued before the workers start, so they claim back to back.
 *
 * <p>Per run: jobs per second, and the queue's overhead per job, that is each worker's time per job
 * minus the engine's (claim, lease, heartbeat, completion commit, and the wait for a contended
 * row). With a 0 ms engine the jobs per second are the queue's own ceiling on this database. Run it
 * with:
 *
 * <pre>
 * bash .ci/postgres.sh
 * ./mvnw -o -B test -pl atelier-core,atelier-engine-onnx,atelier-engine-openai,atelier-store,\
 *   atelier-server,atelier-cli -Dtest=WorkerThroughputBench -DexcludedTestGroups=gpu \
 *   -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * <p>It prints a Markdown table and writes it to {@code atelier-cli/target/worker-throughput.md}
 * (docs/benchmarks.md, "Workers over one PostgreSQL").
 */
@Tag("bench")
class WorkerThroughputBench {
  private static final String SERVER =
      System.getenv()
          .getOrDefault(
              "ATELIER_TEST_POSTGRES_URL",
              "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

  private record Row(int workers, long engineMillis, int jobs, double seconds) {
    double jobsPerSecond() {
      return jobs / seconds;
    }

    /** Each worker's time per job minus the engine's. */
    double overheadMillis() {
      return workers * seconds * 1000 / jobs - engineMillis;
    }
  }

  @Test
  void oneTwoAndFourWorkers() throws Exception {
    List<Row> rows = new ArrayList<>();
    for (long engineMillis : new long[] {100, 0}) {
      for (int workers : new int[] {1, 2, 4}) {
        int jobs = engineMillis == 0 ? 400 : 40 * workers;
        rows.add(run(workers, engineMillis, jobs));
      }
    }
    StringBuilder md = new StringBuilder();
    md.append("| workers | engine ms/job | jobs | seconds | jobs/s | queue overhead ms/job |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      md.append(
          String.format(
              java.util.Locale.ROOT,
              "| %d | %d | %d | %.2f | %.1f | %.1f |%n",
              r.workers(),
              r.engineMillis(),
              r.jobs(),
              r.seconds(),
              r.jobsPerSecond(),
              r.overheadMillis()));
    }
    md.append("\n").append(LocalDate.now()).append(", ").append(machine()).append("\n");
    System.out.println(md);
    Path out = Path.of("target", "worker-throughput.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md);
  }

  private static Row run(int workers, long engineMillis, int jobs) throws Exception {
    String schema = "atelier_bench_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(SERVER);
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    DatabaseUrl url = DatabaseUrl.parse(SERVER + "&currentSchema=" + schema);
    List<MetadataStore> stores = new ArrayList<>();
    List<JobRunner> runners = new ArrayList<>();
    try {
      MetadataStore producer = JdbcMetadataStore.openPostgresql(url, PoolSettings.DEFAULTS);
      stores.add(producer);
      Instant t0 = Instant.now();
      for (int i = 0; i < jobs; i++) {
        producer.enqueue(
            Job.queued(
                "job_" + i,
                "owner" + (i % 4),
                "",
                "image_generation",
                "{}",
                Set.of(),
                1,
                t0.plusMillis(i),
                "fake"),
            jobs,
            Optional.empty(),
            Duration.ofHours(1));
      }
      JobExecutor engine =
          (job, writes) ->
              JobExecutor.Execution.on(
                  "fake",
                  (progress, cancel) -> {
                    if (engineMillis > 0) {
                      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(engineMillis));
                    }
                    return new JobExecutor.Outcome(200, new JsonValue.Obj(Map.of()), 0, null);
                  });
      for (int w = 0; w < workers; w++) {
        MetadataStore own = JdbcMetadataStore.openPostgresql(url, PoolSettings.DEFAULTS);
        stores.add(own);
        runners.add(
            new JobRunner(
                    own,
                    engine,
                    JobRunner.Settings.DEFAULT.withWorkers(1).withQueueSize(jobs),
                    JobListener.NONE,
                    Clock.systemUTC(),
                    e -> new JobRunner.ErrorInfo("error", "{}"),
                    j -> new JsonValue.Obj(Map.of()),
                    () -> true)
                .serving(Set.of("fake")));
      }
      long start = System.nanoTime();
      runners.forEach(JobRunner::start);
      long deadline = start + TimeUnit.MINUTES.toNanos(5);
      while (producer.counts().queued() + producer.counts().running() > 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the jobs did not finish in 5 minutes");
        }
        // Polling: the harness measures the queue, so it adds no hook to it.
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      try (Connection c = DriverManager.getConnection(SERVER + "&currentSchema=" + schema);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM jobs WHERE status = 'completed'")) {
        rs.next();
        if (rs.getInt(1) != jobs) {
          throw new AssertionError("completed " + rs.getInt(1) + " of " + jobs);
        }
      }
      return new Row(workers, engineMillis, jobs, seconds);
    } finally {
      runners.forEach(JobRunner::close);
      stores.forEach(MetadataStore::close);
    }
  }

  private static String machine() {
    return Runtime.getRuntime().availableProcessors()
        + " CPUs, Java "
        + System.getProperty("java.version")
        + ", "
        + System.getProperty("os.name");
  }
}
