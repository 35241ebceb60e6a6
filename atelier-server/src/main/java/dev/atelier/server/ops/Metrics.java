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
import java.util.List;
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
 * names, served model ids, error codes): never job or image ids, prompts or raw paths.
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
  private final java.util.concurrent.ConcurrentMap<String, AtomicLong> modelLoadNanos =
      new java.util.concurrent.ConcurrentHashMap<>();

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
   * @param model the served model id the job ran on; empty when its request was no longer valid
   * @param status how it ended ({@code succeeded}, {@code failed}, {@code cancelled})
   */
  public void jobFinished(String kind, String engine, String model, String status, Duration took) {
    Timer.builder("atelier.job.duration")
        .description("Job run time, by kind, engine, served model and final status")
        .tags("kind", kind, "engine", engine, "model", model, "status", status)
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

  /**
   * Records a load of served model {@code model}: sets {@code atelier_model_load_seconds{model}} to
   * {@code took} and counts it in {@code atelier_model_loads_total{model}}.
   */
  public void modelLoaded(String model, Duration took) {
    loadNanos(model).set(took.toNanos());
    loads(model).increment();
  }

  /** Counts a load of {@code model} that failed ({@code atelier_model_load_failures_total}). */
  public void modelLoadFailed(String model) {
    Counter.builder("atelier.model.load.failures")
        .description("Model loads that failed, by served model")
        .tag("model", model)
        .register(registry)
        .increment();
  }

  /**
   * Counts an unload of {@code model} ({@code atelier_model_unloads_total{model,reason}}).
   *
   * @param reason {@code lru} (the memory budget) or {@code shutdown}
   */
  public void modelUnloaded(String model, String reason) {
    Counter.builder("atelier.model.unloads")
        .description("Model unloads, by served model and reason (lru, shutdown)")
        .tags("model", model, "reason", reason)
        .register(registry)
        .increment();
  }

  /**
   * Registers the meters of served model {@code model}, read at every scrape: {@code
   * atelier_model_state{model,state}} (1 for its current state among {@code states}, 0 for the
   * others), {@code atelier_model_memory_bytes{model}} (the estimate of what it holds now), and at
   * 0 until they change {@code atelier_model_load_seconds{model}} and {@code
   * atelier_model_loads_total{model}}. Registering a model again keeps the first suppliers.
   *
   * @param states every state a model can be in ({@code not_loaded}, {@code loading}, ...)
   * @param state its current state, one of {@code states}
   * @param bytes the estimated bytes it holds now (0 when not loaded)
   */
  public void model(
      String model, List<String> states, Supplier<String> state, Supplier<Number> bytes) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(bytes, "bytes");
    for (String s : states) {
      Gauge.builder("atelier.model.state", state, now -> s.equals(now.get()) ? 1 : 0)
          .description("1 for a served model's current state, 0 for the others")
          .tags("model", model, "state", s)
          .strongReference(true)
          .register(registry);
    }
    Gauge.builder("atelier.model.memory", bytes, b -> number(b.get()))
        .description("Estimated memory a served model holds now (its size on disk while loaded)")
        .tag("model", model)
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
    loadNanos(model);
    loads(model);
  }

  private AtomicLong loadNanos(String model) {
    return modelLoadNanos.computeIfAbsent(
        model,
        m -> {
          AtomicLong nanos = new AtomicLong();
          TimeGauge.builder("atelier.model.load", nanos, TimeUnit.NANOSECONDS, AtomicLong::get)
              .description("How long a served model's last load took (0 until it loaded)")
              .tag("model", m)
              .register(registry);
          return nanos;
        });
  }

  private Counter loads(String model) {
    return Counter.builder("atelier.model.loads")
        .description("Model loads, by served model")
        .tag("model", model)
        .register(registry);
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
