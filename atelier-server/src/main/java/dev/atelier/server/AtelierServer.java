package dev.atelier.server;

import dev.atelier.core.Engine;
import dev.atelier.core.edit.EditPlanner;
import dev.atelier.core.edit.Grounder;
import dev.atelier.core.edit.LocalEditor;
import dev.atelier.server.auth.ApiKeyAuth;
import dev.atelier.server.auth.Caller;
import dev.atelier.server.auth.RateLimits;
import dev.atelier.server.http.BrowserSafety;
import dev.atelier.server.http.ErrorMapper;
import dev.atelier.server.http.HttpRefusals;
import dev.atelier.server.http.Idempotent;
import dev.atelier.server.http.JobKind;
import dev.atelier.server.http.RequestLog;
import dev.atelier.server.http.Routes;
import dev.atelier.server.images.ImageService;
import dev.atelier.server.jobs.JobRunner;
import dev.atelier.server.models.ModelSet;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: OpenAI's Images API and sessions over one engine and one store, and Atelier
 * Studio (static files from the classpath's {@code /studio}) at {@code /}.
 *
 * <p>Owns nothing it is given: the caller closes the engine and the stores after {@link #close()}.
 * On start it sweeps blobs that no row references (what a crash between writing an image and
 * committing its row leaves behind), and once a day while it runs, one node of a cluster at a time
 * ({@link dev.atelier.server.images.BlobSweeper}).
 */
public final class AtelierServer implements AutoCloseable {
  /** Set on a request whose error our exception handler already answered in OpenAI's shape. */
  private static final String ANSWERED = ErrorMapper.ANSWERED;

  private final Javalin app;
  private final JobRunner runner;
  private final dev.atelier.server.ops.Operations ops;
  private final AutoCloseable owned;

  private AtelierServer(
      Javalin app, JobRunner runner, dev.atelier.server.ops.Operations ops, AutoCloseable owned) {
    this.app = app;
    this.runner = runner;
    this.ops = ops;
    this.owned = owned;
  }

  /**
   * Sweeps orphan blobs and starts listening.
   *
   * @throws RuntimeException when the port cannot be bound
   */
  public static AtelierServer start(
      Engine engine, MetadataStore metadata, BlobStore blobs, ServerConfig config) {
    return start(engine, LocalEditor.NO_GROUNDER, metadata, blobs, config);
  }

  /**
   * Like {@link #start(Engine, MetadataStore, BlobStore, ServerConfig)} with a grounding model, so
   * plain-words edits find their region without a mask.
   */
  public static AtelierServer start(
      Engine engine,
      Grounder grounder,
      MetadataStore metadata,
      BlobStore blobs,
      ServerConfig config) {
    return start(engine, grounder, new EditPlanner(), metadata, blobs, config);
  }

  /**
   * The full form: a grounding model and a planner (e.g. with a chat-model translator for words the
   * bundled lexicon lacks).
   */
  public static AtelierServer start(
      Engine engine,
      Grounder grounder,
      EditPlanner planner,
      MetadataStore metadata,
      BlobStore blobs,
      ServerConfig config) {
    return start(engine, grounder, planner, metadata, blobs, config, c -> {});
  }

  /**
   * The full form with the operator's side given ({@code /metrics}, {@code /healthz}, {@code
   * /readyz}): the caller owns {@code ops} and reports model loading into its readiness. The other
   * forms make their own, which says the model is ready.
   */
  public static AtelierServer start(
      Engine engine,
      Grounder grounder,
      EditPlanner planner,
      MetadataStore metadata,
      BlobStore blobs,
      ServerConfig config,
      dev.atelier.server.ops.Operations ops) {
    return start(
        ModelSet.of(config.modelName(), engine),
        grounder,
        planner,
        metadata,
        blobs,
        config,
        ops,
        () -> {},
        c -> {});
  }

  /**
   * The full form with {@code before}, which configures the app ahead of the routes; tests use it
   * to put a {@link Caller} on requests until authentication does.
   */
  static AtelierServer start(
      Engine engine,
      Grounder grounder,
      EditPlanner planner,
      MetadataStore metadata,
      BlobStore blobs,
      ServerConfig config,
      java.util.function.Consumer<io.javalin.config.JavalinConfig> before) {
    return start(
        ModelSet.of(config.modelName(), engine),
        grounder,
        planner,
        metadata,
        blobs,
        config,
        before);
  }

  /**
   * Several models: {@code models} (whose first is the default of a request that names none, and
   * whose id should be {@code config}'s model name) instead of one engine; the caller owns {@code
   * models} and {@code ops} and closes them after the server.
   */
  public static AtelierServer start(
      ModelSet models,
      Grounder grounder,
      EditPlanner planner,
      MetadataStore metadata,
      BlobStore blobs,
      ServerConfig config,
      dev.atelier.server.ops.Operations ops) {
    return start(models, grounder, planner, metadata, blobs, config, ops, () -> {}, c -> {});
  }

  /**
   * {@link #start(ModelSet, Grounder, EditPlanner, MetadataStore, BlobStore, ServerConfig,
   * dev.atelier.server.ops.Operations)} with its own operations and {@code before} (tests).
   */
  static AtelierServer start(
      ModelSet models,
      Grounder grounder,
      EditPlanner planner,
      MetadataStore metadata,
      BlobStore blobs,
      ServerConfig config,
      java.util.function.Consumer<io.javalin.config.JavalinConfig> before) {
    var ops = dev.atelier.server.ops.Operations.of(metadata);
    return start(models, grounder, planner, metadata, blobs, config, ops, ops, before);
  }

  private static AtelierServer start(
      ModelSet models,
      Grounder grounder,
      EditPlanner planner,
      MetadataStore metadata,
      BlobStore blobs,
      ServerConfig config,
      dev.atelier.server.ops.Operations ops,
      AutoCloseable owned,
      java.util.function.Consumer<io.javalin.config.JavalinConfig> before) {
    blobs.sweep(metadata.referencedBlobs(), config.blobPolicy().sweepGrace());
    if (config.demo()) {
      LoggerFactory.getLogger(AtelierServer.class).warn("demo model: images are noise");
    }
    ImageService images =
        new ImageService(models, metadata, blobs, grounder, planner, config.defaultSide());
    Routes routes = new Routes(images, config);
    JobRunner runner =
        new JobRunner(
            metadata,
            routes::prepareJob,
            config.jobs(),
            new dev.atelier.server.ops.JobMetrics(ops.metrics(), config.engineName()),
            java.time.Clock.systemUTC(),
            ErrorMapper::jobError,
            routes::renderJob,
            ops.readiness()::modelReady);
    routes.use(runner);
    Role role = config.role();
    // A worker claims only the jobs of the models it serves; an API node keeps the events that
    // workers send for the streams it holds.
    runner
        .serving(role.runsJobs() ? java.util.Set.copyOf(models.ids()) : java.util.Set.of())
        .mirroringEvents(role.servesApi());
    watchModels(models, ops);
    ops.readiness()
        .queueFrom(
            () ->
                new dev.atelier.server.ops.QueueState(
                    runner.counts().queued(), config.jobs().queueSize(), runner.draining()));
    ops.metrics()
        .gauge(
            dev.atelier.server.ops.Metrics.QUEUE_DEPTH,
            "image jobs waiting in the queue",
            () -> runner.counts().queued());
    ops.metrics()
        .gauge(
            dev.atelier.server.ops.Metrics.JOBS_RUNNING,
            "image jobs running in this process",
            runner::runningHere);
    ApiKeyAuth auth = ApiKeyAuth.forHost(metadata, config.host());
    Runnable[] afterStart = new Runnable[1];
    Javalin app =
        Javalin.create(
            c -> {
              // Body, part and URI limits, and Jetty's own refusals in OpenAI's shape.
              afterStart[0] = HttpRefusals.install(c, config.limits(), config.idleTimeout());
              c.startup.showJavalinBanner = false;
              // A known route called with another method is a 405, not a 404.
              c.http.prefer405over404 = true;
              RequestLog.install(c, ops);
              BrowserSafety.install(c, config.access().corsOrigins());
              // After the request id, before every route: API keys once a key exists.
              auth.install(c);
              before.accept(c);
              if (role.servesApi()) {
                // After authentication: a retried POST with a known key is answered from the
                // store.
                Idempotent.install(c, metadata, JobKind::isJobPath);
                // Before-matched: runs after every before handler, authentication's included.
                RateLimits.install(c, config.access().clock(), metadata);
                c.staticFiles.add(
                    sf -> {
                      // The studio (a plain HTML/JS client of the public API) lives at /; the API
                      // routes are matched first, so /v1/... is unaffected.
                      sf.hostedPath = "/";
                      sf.directory = "/studio";
                      sf.location = Location.CLASSPATH;
                      sf.headers = java.util.Map.of("Cache-Control", "no-cache");
                    });
                routes.register(c);
              }
              ops.install(c, ANSWERED); // /metrics, /healthz, /readyz
              c.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    ErrorMapper.Answer a = ErrorMapper.map(e);
                    if (e instanceof ErrorMapper.MethodNotAllowed m) {
                      ctx.header("Allow", m.allowed());
                    }
                    if (e instanceof ErrorMapper.Refusal r && r.retryAfterSeconds() > 0) {
                      ctx.header("Retry-After", Long.toString(r.retryAfterSeconds()));
                    }
                    if (e instanceof ErrorMapper.AuthRefused r) {
                      ctx.header("WWW-Authenticate", r.challenge());
                    }
                    ctx.attribute(ANSWERED, true);
                    ctx.status(a.status()).contentType("application/json").result(a.body());
                  });
              // Javalin's own 404/405 bodies (its JSON one when the client accepts JSON, as the
              // SDKs do) are replaced by OpenAI's shape unless our exception handler answered.
              c.routes.error(
                  405,
                  ctx -> {
                    if (ctx.attribute(ANSWERED) != null) {
                      return;
                    }
                    String allow = Routes.allowed(ctx.path()).orElse(ctx.res().getHeader("Allow"));
                    if (allow != null) {
                      ctx.header("Allow", allow);
                    }
                    ErrorMapper.Answer a =
                        ErrorMapper.answer(
                            405,
                            ctx.path()
                                + " does not answer "
                                + ctx.method()
                                + (allow == null ? "" : "; it answers " + allow),
                            "invalid_request_error",
                            "",
                            "method_not_allowed");
                    ctx.contentType("application/json").result(a.body());
                  });
              // Javalin's own refusals (a body that stalled past the idle timeout is its 408,
              // in text/plain) are answered in OpenAI's shape too.
              for (int status : new int[] {400, 408, 413, 414, 415, 431, 500, 503}) {
                c.routes.error(
                    status,
                    ctx -> {
                      if (ctx.attribute(ANSWERED) == null) {
                        ctx.contentType("application/json")
                            .result(ErrorMapper.refusal(status, "").body());
                      }
                    });
              }
              c.routes.error(
                  404,
                  ctx -> {
                    if (ctx.attribute(ANSWERED) != null) {
                      return;
                    }
                    ErrorMapper.Answer a =
                        ErrorMapper.answer(
                            404,
                            "no route for " + ctx.method() + " " + ctx.path(),
                            "invalid_request_error",
                            "",
                            "not_found");
                    ctx.contentType("application/json").result(a.body());
                  });
            });
    app.start(config.host(), config.port());
    afterStart[0].run();
    runner.start();
    // Orphans of a long-running cluster: one sweep a day across every node on the database.
    dev.atelier.server.images.BlobSweeper sweeper =
        new dev.atelier.server.images.BlobSweeper(
                metadata, blobs, config.blobPolicy().sweepGrace(), java.time.Clock.systemUTC())
            .start();
    AutoCloseable closes =
        () -> {
          sweeper.close();
          owned.close();
        };
    return new AtelierServer(app, runner, ops, closes);
  }

  /**
   * Shows every served model on {@code /readyz} and {@code /metrics}: its state, the estimate of
   * the memory it holds, and its loads and unloads as the set reports them.
   */
  private static void watchModels(ModelSet models, dev.atelier.server.ops.Operations ops) {
    ops.readiness()
        .modelsFrom(
            () ->
                models.models().stream()
                    .map(
                        m -> {
                          ModelSet.Status st = m.status();
                          return new dev.atelier.server.ops.Readiness.ModelCheck(
                              m.id(),
                              m.kind().wire(),
                              st.state().wire(),
                              st.progress(),
                              st.detail());
                        })
                    .toList());
    dev.atelier.server.ops.Metrics metrics = ops.metrics();
    java.util.List<String> states =
        java.util.Arrays.stream(ModelSet.State.values()).map(ModelSet.State::wire).toList();
    for (ModelSet.Model m : models.models()) {
      metrics.model(m.id(), states, () -> m.state().wire(), () -> models.residentBytes(m.id()));
    }
    models
        .maxMemory()
        .ifPresent(
            budget ->
                metrics.gauge(
                    "atelier_model_memory_budget_bytes",
                    "The most memory the loaded models may take together (serve --max-memory)",
                    () -> budget));
    models.reportTo(
        new ModelSet.Events() {
          @Override
          public void loaded(String id, java.time.Duration took) {
            metrics.modelLoaded(id, took);
          }

          @Override
          public void loadFailed(String id) {
            metrics.modelLoadFailed(id);
          }

          @Override
          public void unloaded(String id, ModelSet.Unload reason) {
            metrics.modelUnloaded(id, reason.wire());
          }
        });
  }

  /**
   * Whether {@code host} (a name or a literal address, IPv6 with or without brackets) is a loopback
   * address, reachable only from this machine. A wildcard ({@code 0.0.0.0}, {@code ::}) or a name
   * that does not resolve is not.
   */
  public static boolean isLoopback(String host) {
    String h = host.strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.isEmpty()) {
      return false;
    }
    try {
      for (java.net.InetAddress a : java.net.InetAddress.getAllByName(h)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /**
   * Drains for a graceful stop (SIGTERM): new image work is refused with 503 and {@code
   * Retry-After}, running jobs get {@code timeout} to finish, and those still running are given
   * back to the queue for the next start. Call {@link #close()} afterwards.
   *
   * @return how many running jobs were given back, and how many had not stopped when the grace
   *     ended
   */
  public JobRunner.Drained drain(java.time.Duration timeout) {
    ops.readiness().draining();
    return runner.drain(timeout);
  }

  /** The job scheduler (for readiness and metrics). */
  public JobRunner jobs() {
    return runner;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return app.port();
  }

  /** The server's metrics and readiness. */
  public dev.atelier.server.ops.Operations operations() {
    return ops;
  }

  /** Stops accepting requests and waits for running ones. */
  @Override
  public void close() {
    runner.close();
    app.stop();
    try {
      owned.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not close the server's metrics", e);
    }
  }
}
