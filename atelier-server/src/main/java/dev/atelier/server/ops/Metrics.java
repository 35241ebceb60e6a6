package dev.atelier.server.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The server's metrics: one instance per server, wrapping a Micrometer registry that {@code GET
 * /metrics} renders in Prometheus' text format (docs/adr/0020).
 *
 * <p>It carries the JVM's memory, GC, thread and class-loader meters, the process's CPU, uptime,
 * open files and resident memory, every HTTP request by route template, method and status, and what
 * the job system and the model loader report through the methods below. Names follow Prometheus'
 * conventions once rendered: base units (seconds, bytes), {@code _total} on counters, {@code
 * atelier_} on Atelier's own. Label values are bounded sets (route templates, job kinds, engine
 * names, error codes): never ids, prompts or raw paths.
 *
 * <p>Thread-safe. {@link #close()} detaches the GC listeners; the owner of the server closes it.
 */
public final class Metrics implements AutoCloseable {
  /** The gauge name of the job queue's depth, for {@link #gauge}. */
  public static final String QUEUE_DEPTH = "atelier_queue_depth";

  /** The gauge name of how many jobs run now, for {@link #gauge}. */
  public static final String JOBS_RUNNING = "atelier_jobs_running";

  /** The route label of a request that matched no route and was answered 404. */
  public static final String NOT_FOUND = "NOT_FOUND";

  /** The route label of any other request that matched no route (the studio's files, refusals). */
  public static final String UNMATCHED = "UNMATCHED";

  // Bucket bounds (seconds) instead of Micrometer's ~70 percentile buckets per series: a handful
  // per series keeps routes x methods x statuses cheap to scrape and store.
  private static final double[] HTTP_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
  };
  private static final double[] JOB_BUCKETS = {0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800};
  private static final double[] STEP_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30};

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final Counter imagesProduced;
  private final Timer step;
  private final AtomicLong modelLoadNanos = new AtomicLong();

  /** A registry with the JVM's and the process's meters bound and Atelier's own declared. */
  public Metrics() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    ResidentMemory.bindTo(registry);
    imagesProduced =
        Counter.builder("atelier.images.produced")
            .description("Images the engine produced")
            .register(registry);
    step =
        Timer.builder("atelier.denoising.step")
            .description("One denoising step of one batch")
            .serviceLevelObjectives(durations(STEP_BUCKETS))
            .register(registry);
    TimeGauge.builder("atelier.model.load", modelLoadNanos, TimeUnit.NANOSECONDS, AtomicLong::get)
        .description("How long the last model load took (0 until a model loaded)")
        .register(registry);
  }

  /** The Micrometer registry, for meters this class has no method for. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter in Prometheus' text format (version 0.0.4), as {@code GET /metrics} serves it. */
  public String scrape() {
    return registry.scrape();
  }

  /** The content type of {@link #scrape()}: {@code text/plain; version=0.0.4; charset=utf-8}. */
  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  /**
   * Records one HTTP request ({@code http_server_requests_seconds}).
   *
   * @param route the matched route template ({@code /v1/images/{id}}), {@link #NOT_FOUND} or {@link
   *     #UNMATCHED}; never the raw path
   */
  public void httpRequest(String method, String route, int status, Duration took) {
    Timer.builder("http.server.requests")
        .description("HTTP requests by route template, method and status")
        .tags("method", method, "route", route, "status", Integer.toString(status))
        .serviceLevelObjectives(durations(HTTP_BUCKETS))
        .register(registry)
        .record(took);
  }

  /** Counts a job of {@code kind} (e.g. {@code generation}, {@code edit}) that was queued. */
  public void jobQueued(String kind) {
    Counter.builder("atelier.jobs.queued")
        .description("Jobs queued, by kind")
        .tag("kind", kind)
        .register(registry)
        .increment();
  }

  /** Counts a job of {@code kind} that left the queue and started running. */
  public void jobStarted(String kind) {
    Counter.builder("atelier.jobs.started")
        .description("Jobs that started running, by kind")
        .tag("kind", kind)
        .register(registry)
        .increment();
  }

  /**
   * Records a finished job's run time ({@code atelier_job_duration_seconds}).
   *
   * @param engine the engine's name ({@code local}, {@code openai})
   * @param status how it ended ({@code succeeded}, {@code failed}, {@code cancelled})
   */
  public void jobFinished(String kind, String engine, String status, Duration took) {
    Timer.builder("atelier.job.duration")
        .description("Job run time, by kind, engine and final status")
        .tags("kind", kind, "engine", engine, "status", status)
        .serviceLevelObjectives(durations(JOB_BUCKETS))
        .register(registry)
        .record(took);
  }

  /**
   * Counts a failed job by its error code ({@code atelier_job_failures_total}).
   *
   * @param code the OpenAI-shaped error code, e.g. {@code model_unavailable}
   */
  public void jobFailed(String code) {
    Counter.builder("atelier.job.failures")
        .description("Failed jobs, by error code")
        .tag("code", code)
        .register(registry)
        .increment();
  }

  /** Records one denoising step ({@code atelier_denoising_step_seconds}). */
  public void step(Duration took) {
    step.record(took);
  }

  /**
   * Counts images produced ({@code atelier_images_produced_total}).
   *
   * @throws IllegalArgumentException when {@code n} is negative
   */
  public void imagesProduced(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0 but was " + n);
    }
    imagesProduced.increment(n);
  }

  /** Sets how long the model took to load ({@code atelier_model_load_seconds}). */
  public void modelLoaded(Duration took) {
    modelLoadNanos.set(took.toNanos());
  }

  /**
   * Registers a gauge read from {@code value} at every scrape, e.g. {@link #QUEUE_DEPTH} or {@link
   * #JOBS_RUNNING}. Registering a name again keeps the first supplier.
   *
   * @param name the Prometheus name ({@code atelier_queue_depth}); dots or underscores
   * @throws IllegalArgumentException when {@code name} is not a valid metric name
   */
  public void gauge(String name, String help, Supplier<Number> value) {
    if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:.]*")) {
      throw new IllegalArgumentException(
          "a metric name must match [a-zA-Z_:][a-zA-Z0-9_:.]* but was '" + name + "'");
    }
    Objects.requireNonNull(value, "value");
    // Strong: Micrometer keeps a gauge's object weakly by default, and a lambda nothing else holds
    // is collected at the next GC, after which the gauge reads NaN.
    Gauge.builder(name, value, s -> number(s.get()))
        .description(help)
        .strongReference(true)
        .register(registry);
  }

  private static double number(Number n) {
    return n == null ? Double.NaN : n.doubleValue();
  }

  private static Duration[] durations(double[] seconds) {
    Duration[] d = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      d[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
    }
    return d;
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
