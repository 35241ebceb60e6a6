package dev.atelier.server.ops;

import dev.atelier.store.MetadataStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Objects;

/**
 * The operator's side of one server: its {@link Metrics} and {@link Readiness}, and the routes that
 * show them, {@code GET /metrics}, {@code GET /healthz} and {@code GET /readyz}.
 *
 * <p>The routes decide nothing about access: authentication requires scope {@code admin} for {@code
 * /metrics} once API keys exist, and lets the probes through without a key (Kubernetes' probes
 * carry none).
 */
public final class Operations implements AutoCloseable {
  /** The metrics route. */
  public static final String METRICS = "/metrics";

  /** The liveness probe: 200 while the process serves HTTP. */
  public static final String HEALTHZ = "/healthz";

  /** The readiness probe: 200 when the model, the store and the queue can take work, else 503. */
  public static final String READYZ = "/readyz";

  private final Metrics metrics;
  private final Readiness readiness;

  /** The routes over {@code metrics} and {@code readiness}, which the caller owns. */
  public Operations(Metrics metrics, Readiness readiness) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
  }

  /** Fresh metrics and a readiness over {@code store} that says the model is ready. */
  public static Operations of(MetadataStore store) {
    return new Operations(new Metrics(), new Readiness(store));
  }

  /** The server's metrics. */
  public Metrics metrics() {
    return metrics;
  }

  /** The server's readiness. */
  public Readiness readiness() {
    return readiness;
  }

  /**
   * Whether {@code path} is a probe ({@link #HEALTHZ}, {@link #READYZ}): open without a key, and
   * answered without reading the store first, so that a probe reports a failed store instead of
   * failing with it.
   */
  public static boolean isProbe(String path) {
    return path.equals(HEALTHZ) || path.equals(READYZ);
  }

  /**
   * Registers the three routes.
   *
   * @param answered the request attribute that keeps the server's error pages from replacing a body
   *     already written (the 503 of {@code /readyz} is its report, not an error)
   */
  public void install(JavalinConfig c, String answered) {
    c.routes.get(
        METRICS,
        ctx ->
            ctx.header("Cache-Control", "no-store")
                .contentType(Metrics.contentType())
                .result(metrics.scrape()));
    c.routes.get(
        HEALTHZ,
        ctx ->
            ctx.header("Cache-Control", "no-store")
                .contentType("application/json")
                .result("{\"status\":\"ok\"}"));
    c.routes.get(
        READYZ,
        ctx -> {
          Readiness.Report r = readiness.check();
          ctx.attribute(answered, true);
          ctx.header("Cache-Control", "no-store")
              .status(r.ready() ? 200 : 503)
              .contentType("application/json")
              .result(r.body());
        });
  }

  /**
   * Records a finished request in {@code http_server_requests_seconds}; the request log calls it.
   */
  public void recordRequest(Context ctx, float ms) {
    int status = ctx.statusCode();
    metrics.httpRequest(
        ctx.method().name(), route(ctx, status), status, Duration.ofNanos((long) (ms * 1e6)));
  }

  /**
   * The route label of a request: the matched route template ({@code /v1/images/{id}}), else {@link
   * Metrics#NOT_FOUND} for a 404 and {@link Metrics#UNMATCHED} for anything else (the studio's
   * files, refusals before routing). Never the raw path, so the label's values are bounded.
   */
  static String route(Context ctx, int status) {
    try {
      io.javalin.router.Endpoint e = ctx.endpoints().matchedHttpEndpoint();
      String matched = e == null ? null : e.path;
      if (matched != null && !matched.isEmpty() && !matched.equals("*")) {
        return matched;
      }
    } catch (RuntimeException e) {
      // no matched endpoint
    }
    return status == 404 ? Metrics.NOT_FOUND : Metrics.UNMATCHED;
  }

  /** Closes the metrics (not the store). */
  @Override
  public void close() {
    metrics.close();
  }
}
