package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.server.RequestLimits;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * The refusals the HTTP stack makes before a route runs, in OpenAI's error shape: Jetty's own
 * errors (a malformed request line or header, an ambiguous or badly encoded path, a URI or headers
 * over their limit, a body that stalls) and the body limits of {@link RequestLimits}.
 *
 * <p>A body's limit follows its {@code Content-Type}: {@code multipart/*} bodies are held to {@link
 * RequestLimits#maxMultipartBytes()}, every other body to {@link RequestLimits#maxJsonBytes()}. A
 * declared {@code Content-Length} over the limit is refused with a 413 before a byte of the body is
 * read; a chunked body is cut off with a 413 once it passes the limit, so it is never buffered
 * whole. Each refusal made here writes one log line, without a stack trace.
 */
public final class HttpRefusals {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger("dev.atelier.server.requests");

  private HttpRefusals() {}

  /**
   * Installs the JSON error handlers, the body limits, Javalin's and the multipart parser's limits,
   * and the idle timeout; returns a hook to run once the server has started (connectors exist only
   * then).
   */
  public static Runnable install(JavalinConfig c, RequestLimits limits, Duration idleTimeout) {
    c.http.maxRequestSize = Math.max(limits.maxJsonBytes(), limits.maxMultipartBytes());
    // A file part far over the image limit stops the parser at once (Jetty cannot say which
    // part it was); one byte of slack lets a part just over the limit through to EditInputs,
    // which refuses it naming the part.
    c.jetty.multipartConfig.maxFileSize(limits.maxImageBytes() + 1, SizeUnit.BYTES);
    c.jetty.multipartConfig.maxTotalRequestSize(limits.maxMultipartBytes(), SizeUnit.BYTES);
    c.jetty.multipartConfig.maxInMemoryFileSize(
        (int) Math.min(limits.maxImageBytes(), 64L << 20), SizeUnit.BYTES);
    AtomicReference<Server> server = new AtomicReference<>();
    c.jetty.modifyServer(
        s -> {
          server.set(s);
          s.setErrorHandler(new JsonErrorHandler());
          // Javalin puts its servlet context inside the innermost wrapper it finds, so this one
          // sees every request before the servlet reads a byte of its body.
          s.setHandler(new BodyLimits(limits));
        });
    c.jetty.modifyServletContextHandler(
        h -> {
          h.setErrorHandler(new ServletJsonErrorHandler());
          // Jetty counts multipart parts against the context's form-key limit.
          h.setMaxFormKeys(limits.maxParts());
        });
    return () -> {
      for (var connector : server.get().getConnectors()) {
        if (connector instanceof AbstractConnector a) {
          a.setIdleTimeout(idleTimeout.toMillis());
        }
      }
    };
  }

  /** Writes {@code answer} as the whole response and logs one line. */
  static void respond(
      Request request, Response response, Callback callback, ErrorMapper.Answer answer) {
    LOG.info(
        "{} {} {} refused by the HTTP layer: {}",
        "BAD".equals(request.getMethod()) ? "-" : request.getMethod(),
        route(request),
        answer.status(),
        message(answer));
    response.setStatus(answer.status());
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(HttpHeader.CONTENT_TYPE, "application/json");
    headers.put(RequestLog.HEADER, RequestLog.newId(request.getHeaders().get(RequestLog.HEADER)));
    // Refused before Javalin runs, so BrowserSafety's before handler never sees these responses.
    headers.put("X-Content-Type-Options", "nosniff");
    if (answer.status() == 413 || answer.status() == 408) {
      // The rest of the body is not read: the connection cannot carry another request.
      headers.put(HttpHeader.CONNECTION, "close");
    }
    response.write(true, ByteBuffer.wrap(answer.body().getBytes(StandardCharsets.UTF_8)), callback);
  }

  /** As the request log writes unmatched paths: never as sent, since they may carry anything. */
  private static String route(Request request) {
    String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
    if (path == null || !path.startsWith("/") || "BAD".equals(request.getMethod())) {
      return "(unparsed)";
    }
    return path.startsWith("/v1/") ? "/v1/(unmatched)" : "/(studio)";
  }

  private static String message(ErrorMapper.Answer answer) {
    return dev.atelier.core.json.Json.parse(answer.body())
        .asObject()
        .object("error")
        .map(e -> e.string("message", ""))
        .orElse("");
  }

  /**
   * What was wrong, in words: Jetty's reason is often only the status's name ("Bad Request"), and
   * the exception under it says more ("!hex z" for a bad percent-encoding, "Bad URI" for a path
   * that climbs above the root).
   */
  private static String detail(Request request, Object cause) {
    Throwable inner = cause instanceof Throwable t ? t : null;
    while (inner != null && inner.getCause() != null && inner.getCause() != inner) {
      inner = inner.getCause();
    }
    if (inner instanceof NumberFormatException) {
      return "bad percent-encoding in the URI: % must be followed by two hex digits";
    }
    if (inner != null && "Bad URI".equals(inner.getMessage())) {
      return "the URI path is not valid: a '..' segment climbs above the root, or a character"
          + " must be percent-encoded";
    }
    if (inner != null && inner.getMessage() != null && !(inner instanceof AtelierException)) {
      return inner.getMessage().replaceFirst("^\\d{3}: ", "");
    }
    Object reason =
        request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_MESSAGE);
    return reason instanceof String s ? s : "";
  }

  /** The status and reason Jetty recorded for an error it is about to answer. */
  private static ErrorMapper.Answer answerFor(Request request, Response response) {
    int status = response.getStatus();
    Object code = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_STATUS);
    if (code instanceof Integer i) {
      status = i;
    }
    if (status < 400) {
      status = 500;
    }
    Object cause =
        request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_EXCEPTION);
    if (cause instanceof AtelierException e) {
      return ErrorMapper.map(e);
    }
    return ErrorMapper.refusal(status, detail(request, cause));
  }

  /**
   * Jetty's server-wide error handler, answering in OpenAI's shape whatever {@code Accept} says.
   */
  static final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      respond(request, response, callback, answerFor(request, response));
      return true;
    }

    /** Errors of the HTTP parser, answered before any request exists (414, 431, bad headers). */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      ErrorMapper.Answer answer = ErrorMapper.refusal(status, reason);
      LOG.info("- (unparsed) {} refused by the HTTP layer: {}", status, message(answer));
      fields.put(HttpHeader.CONTENT_TYPE, "application/json");
      fields.put(new HttpField(RequestLog.HEADER, RequestLog.newId(null)));
      return ByteBuffer.wrap(answer.body().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The servlet context's error handler (errors raised inside Javalin's servlet), the same way. */
  static final class ServletJsonErrorHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      respond(request, response, callback, answerFor(request, response));
      return true;
    }
  }

  /** Refuses a body over its limit: at once when its length is declared, else when it passes it. */
  static final class BodyLimits extends Handler.Wrapper {
    private final RequestLimits limits;

    BodyLimits(RequestLimits limits) {
      this.limits = limits;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
      boolean multipart = type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
      long limit = multipart ? limits.maxMultipartBytes() : limits.maxJsonBytes();
      String flag = multipart ? "--max-multipart-mb" : "--max-json-mb";
      long declared = request.getLength();
      if (declared > limit) {
        respond(
            request,
            response,
            callback,
            ErrorMapper.map(
                new AtelierException.PayloadTooLarge(
                    "",
                    (multipart ? "the multipart body" : "the request body")
                        + " declares "
                        + declared
                        + " bytes (Content-Length) but at most "
                        + limit
                        + " are accepted (serve "
                        + flag
                        + "); nothing was read")));
        return true;
      }
      Request capped = declared >= 0 ? request : new Capped(request, limit, multipart, flag);
      return super.handle(capped, response, callback);
    }
  }

  /** A body without a declared length, failed with a 413 once more than its limit has arrived. */
  private static final class Capped extends Request.Wrapper {
    private final long limit;
    private final boolean multipart;
    private final String flag;
    private long read;

    Capped(Request request, long limit, boolean multipart, String flag) {
      super(request);
      this.limit = limit;
      this.multipart = multipart;
      this.flag = flag;
    }

    @Override
    public Content.Chunk read() {
      Content.Chunk chunk = super.read();
      if (chunk == null || Content.Chunk.isFailure(chunk)) {
        return chunk;
      }
      read += chunk.remaining();
      if (read > limit) {
        chunk.release();
        return Content.Chunk.from(
            new AtelierException.PayloadTooLarge(
                "",
                (multipart ? "the multipart body" : "the request body")
                    + " is over "
                    + limit
                    + " bytes, the most this server accepts (serve "
                    + flag
                    + "); it was cut off there"));
      }
      return chunk;
    }
  }
}
