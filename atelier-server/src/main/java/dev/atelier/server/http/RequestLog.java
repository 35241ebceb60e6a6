package dev.atelier.server.http;

import dev.atelier.server.auth.Caller;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One log line per request and an {@code x-request-id} on every response that matches it.
 *
 * <p>The line holds the method, the route (the matched pattern, e.g. {@code /v1/sessions/{id}}, so
 * ids and query strings stay out), the status, the duration, the request id and the caller's owner
 * ({@code owner=-} when anonymous); never a header, a body or a prompt. The same call feeds the
 * request into the server's metrics. A client's own {@code x-request-id} is kept when it is a plain
 * token (letters, digits, {@code . _ : -}, at most 128 characters); anything else is replaced, so a
 * client cannot write into the log.
 */
public final class RequestLog {
  // SLF4J, like Javalin's and Jetty's own lines: one line per request in the same format.
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger("dev.atelier.server.requests");
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** The header that carries a request's id, in and out. */
  public static final String HEADER = "x-request-id";

  private static final String ATTRIBUTE = "atelier.request-id";

  private RequestLog() {}

  /** Installs request ids, the one-line request log and the HTTP metrics on {@code c}. */
  public static void install(JavalinConfig c, dev.atelier.server.ops.Operations ops) {
    c.routes.before(
        ctx -> {
          String id = newId(ctx.header(HEADER));
          ctx.attribute(ATTRIBUTE, id);
          ctx.header(HEADER, id);
        });
    c.requestLogger.http(
        (ctx, ms) -> {
          LOG.info(
              "{} {} {} {} ms {} owner={}",
              ctx.method(),
              route(ctx),
              ctx.statusCode(),
              String.format(java.util.Locale.ROOT, "%.1f", ms),
              id(ctx),
              owner(ctx));
          ops.recordRequest(ctx, ms); // http_server_requests_seconds
        });
  }

  /** The caller's owner as one log token: {@code -} when anonymous, odd characters as {@code _}. */
  static String owner(Context ctx) {
    String owner = Caller.of(ctx).owner();
    return owner.isEmpty() ? "-" : OWNER_ODD.matcher(owner).replaceAll("_");
  }

  private static final Pattern OWNER_ODD = Pattern.compile("[^A-Za-z0-9._@:+-]");

  /** The client's id when it {@code sent} a plain token, else a fresh one. */
  static String newId(String sent) {
    return sent != null && CLIENT_ID.matcher(sent).matches()
        ? sent
        : "req_" + UUID.randomUUID().toString().replace("-", "");
  }

  /** The request's id (set before any handler runs). */
  static String id(Context ctx) {
    String id = ctx.attribute(ATTRIBUTE);
    return id == null ? "-" : id;
  }

  private static String route(Context ctx) {
    try {
      // The matched route, not ctx.endpoint(): that is whichever handler ran last (an after
      // handler's "*").
      io.javalin.router.Endpoint e = ctx.endpoints().matchedHttpEndpoint();
      String matched = e == null ? null : e.path;
      if (matched != null && !matched.isEmpty() && !matched.equals("*")) {
        return matched;
      }
    } catch (RuntimeException e) {
      // no matched endpoint (static file, 404): fall through to the plain path
    }
    // Unmatched paths are not logged as sent: they may carry ids or anything a client typed.
    return ctx.path().startsWith("/v1/") ? "/v1/(unmatched)" : "/(studio)";
  }
}
