package dev.atelier.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/**
 * The headers that keep browsers safe with this server: {@code X-Content-Type-Options: nosniff},
 * {@code Referrer-Policy: no-referrer} and a Content-Security-Policy on every response (the
 * studio's pages are what it protects: scripts, styles and calls only from this origin, images also
 * from {@code data:} and {@code blob:} URLs, no framing), and CORS for the allow-listed origins
 * only.
 *
 * <p>CORS is off unless origins are listed: a request from another origin gets no {@code
 * Access-Control-*} header, so the browser withholds the answer, and its preflight is not answered.
 */
public final class BrowserSafety {
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
          + " frame-ancestors 'none'";

  private static final String EXPOSED =
      "x-request-id, x-ratelimit-limit-requests, x-ratelimit-remaining-requests,"
          + " x-ratelimit-reset-requests, Retry-After";

  private BrowserSafety() {}

  /** Installs the security headers and CORS for {@code corsOrigins} on {@code c}. */
  public static void install(JavalinConfig c, List<String> corsOrigins) {
    Set<String> allowed = Set.copyOf(corsOrigins);
    c.routes.before(
        ctx -> {
          ctx.header("X-Content-Type-Options", "nosniff");
          ctx.header("Referrer-Policy", "no-referrer");
          ctx.header("Content-Security-Policy", CSP);
          if (!allowed.isEmpty()) {
            cors(ctx, allowed);
          }
        });
  }

  private static void cors(Context ctx, Set<String> allowed) {
    String origin = ctx.header("Origin");
    if (origin == null) {
      return;
    }
    ctx.header("Vary", "Origin");
    if (!allowed.contains(origin)) {
      return;
    }
    ctx.header("Access-Control-Allow-Origin", origin);
    ctx.header("Access-Control-Expose-Headers", EXPOSED);
    if (ctx.method().name().equals("OPTIONS")
        && ctx.header("Access-Control-Request-Method") != null) {
      ctx.header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
      ctx.header(
          "Access-Control-Allow-Headers",
          "Authorization, Content-Type, x-request-id, OpenAI-Organization, OpenAI-Project");
      ctx.header("Access-Control-Max-Age", "600");
      ctx.status(204);
      ctx.skipRemainingHandlers();
    }
  }
}
