package dev.atelier.server.http;

import dev.atelier.core.AtelierException;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place where failures become HTTP answers in OpenAI's error shape: {@code {"error":
 * {"message", "type", "param", "code"}}}.
 *
 * <p>Client mistakes are 4xx ({@code invalid_request_error}); a missing resource is 404; a model
 * that cannot serve the request is 400 when the client chose it, 503 when the server has none; an
 * engine or storage fault is 500 ({@code server_error}) without internals in the message.
 */
public final class ErrorMapper {
  private static final System.Logger LOG = System.getLogger(ErrorMapper.class.getName());

  /**
   * Set on a request whose error was already answered in OpenAI's shape, so the server's error
   * pages leave the body alone.
   */
  public static final String ANSWERED = "atelier.answered";

  private ErrorMapper() {}

  /**
   * How a job's failure is stored: its error code, and {@code {"status": <HTTP status>, "error":
   * <OpenAI's error object>}}, which the waiting call answers with.
   */
  public static dev.atelier.server.jobs.JobRunner.ErrorInfo jobError(Throwable t) {
    Answer a = map(t);
    dev.atelier.core.json.JsonValue.Obj body =
        dev.atelier.core.json.Json.parse(a.body()).asObject();
    dev.atelier.core.json.JsonValue.Obj error = body.object("error").orElseThrow();
    java.util.Map<String, dev.atelier.core.json.JsonValue> m = new java.util.LinkedHashMap<>();
    m.put("status", new dev.atelier.core.json.JsonValue.Num(a.status()));
    m.put("error", error);
    return new dev.atelier.server.jobs.JobRunner.ErrorInfo(
        error.string("code", ""),
        dev.atelier.core.json.Json.write(new dev.atelier.core.json.JsonValue.Obj(m)));
  }

  /** An HTTP status and the JSON body to send. */
  public record Answer(int status, String body) {}

  /** Maps any throwable to its answer. */
  public static Answer map(Throwable t) {
    return switch (t) {
      case AtelierException.InvalidRequest e ->
          answer(400, e.getMessage(), "invalid_request_error", e.param(), e.code());
      case AtelierException.NotFound e ->
          answer(404, e.getMessage(), "invalid_request_error", e.param(), "not_found");
      case AtelierException.ModelUnavailable e ->
          answer(503, e.getMessage(), "server_error", "model", "model_unavailable");
      case AtelierException.Cancelled e ->
          answer(499, e.getMessage(), "invalid_request_error", "", "cancelled");
      case AtelierException.UpstreamFailure e -> {
        if (e.status() >= 400 && e.status() < 500) {
          yield answer(
              e.status(),
              "upstream: " + e.getMessage(),
              "invalid_request_error",
              e.param(),
              e.code());
        }
        LOG.log(System.Logger.Level.WARNING, "upstream failure: " + e.getMessage());
        yield answer(
            502,
            "the upstream image API failed: " + e.getMessage(),
            "server_error",
            e.param(),
            e.code().isEmpty() ? "upstream_error" : e.code());
      }
      case AtelierException.StorageFailure e -> {
        LOG.log(System.Logger.Level.ERROR, "storage failure", e);
        yield answer(
            500, "storage failed; nothing was stored", "server_error", "", "storage_error");
      }
      case AtelierException.EngineFailure e -> {
        LOG.log(System.Logger.Level.ERROR, "engine failure", e);
        yield answer(
            500, "the engine failed: " + e.getMessage(), "server_error", "", "engine_error");
      }
      case AtelierException.PayloadTooLarge e ->
          answer(413, e.getMessage(), "invalid_request_error", e.param(), "too_large");
      case Refusal e -> answer(e.status(), e.getMessage(), e.type(), e.param(), e.code());
      case dev.atelier.server.jobs.JobRunner.Interrupted e ->
          answer(500, e.getMessage(), "server_error", "", "interrupted");
      case AuthRefused e -> answer(e.status, e.getMessage(), e.type, "", e.code);
      case MethodNotAllowed e ->
          answer(405, e.getMessage(), "invalid_request_error", "", "method_not_allowed");
      case IllegalArgumentException e ->
          answer(400, e.getMessage(), "invalid_request_error", "", "invalid_value");
      case io.javalin.http.HttpResponseException e -> refusal(e.getStatus(), e.getMessage());
      default -> {
        Answer transport = transport(t);
        if (transport != null) {
          yield transport;
        }
        LOG.log(System.Logger.Level.ERROR, "unexpected failure", t);
        yield answer(500, "internal error", "server_error", "", "internal_error");
      }
    };
  }

  /**
   * The answer to a failure of the transport under a handler, found in {@code t}'s causes: a body
   * cut off at its limit (413), a body that stalled (408) or ended before its declared length
   * (400), or any other refusal Jetty raised with its status. Null when {@code t} is none of them.
   */
  private static Answer transport(Throwable t) {
    org.eclipse.jetty.http.HttpException http = null;
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof AtelierException a) {
        return map(a);
      }
      if (c instanceof java.util.concurrent.TimeoutException) {
        return refusal(408, "");
      }
      if (c instanceof org.eclipse.jetty.io.EofException
          || (c instanceof org.eclipse.jetty.http.HttpException h
              && h.getCode() == 400
              && "Early EOF".equals(h.getReason()))) {
        return answer(
            400,
            "the request body ended before the length it declared",
            "invalid_request_error",
            "",
            "incomplete_body");
      }
      if (http == null && c instanceof org.eclipse.jetty.http.HttpException h) {
        http = h; // the outermost, unless a cause below says more (a multipart parser's 400)
      }
    }
    return http == null ? null : refusal(http.getCode(), http.getReason());
  }

  /**
   * The answer to a refusal the HTTP stack itself makes (Jetty's parser, its URI checks, the body
   * limits, Javalin): the status kept, OpenAI's error shape, a message that says what was wrong.
   *
   * @param detail the stack's own short reason (e.g. Jetty's {@code "Ambiguous URI path
   *     separator"}), or empty
   */
  public static Answer refusal(int status, String detail) {
    String why = detail == null || detail.isBlank() ? "" : " (" + detail + ")";
    return switch (status) {
      case 400 ->
          answer(
              400,
              "the HTTP request is malformed" + why,
              "invalid_request_error",
              "",
              "bad_request");
      case 404 -> answer(404, "not found" + why, "invalid_request_error", "", "not_found");
      case 405 ->
          answer(
              405, "method not allowed" + why, "invalid_request_error", "", "method_not_allowed");
      case 408 ->
          answer(
              408,
              "the request did not arrive in time: the client stopped sending before the body was"
                  + " complete",
              "invalid_request_error",
              "",
              "request_timeout");
      case 413 ->
          answer(
              413,
              "the request body is larger than this server accepts" + why,
              "invalid_request_error",
              "",
              "too_large");
      case 414 ->
          answer(
              414,
              "the request URI is longer than this server accepts (at most 8 KiB of URI and"
                  + " headers)",
              "invalid_request_error",
              "",
              "uri_too_long");
      case 415 ->
          answer(
              415,
              "unsupported Content-Type" + why,
              "invalid_request_error",
              "",
              "unsupported_media_type");
      case 431 ->
          answer(
              431,
              "the request headers are larger than this server accepts (8 KiB)",
              "invalid_request_error",
              "",
              "headers_too_large");
      default ->
          status >= 500
              ? answer(status, "the server failed" + why, "server_error", "", "server_error")
              : answer(
                  status,
                  "the HTTP request was refused" + why,
                  "invalid_request_error",
                  "",
                  "http_" + status);
    };
  }

  /**
   * A request the server refuses for who made it or what they have used (a rate limit, a quota, a
   * bad image URL signature), answered with its status and OpenAI's {@code type} and {@code code}.
   * Headers that go with it ({@code Retry-After}) are set on the response before it is thrown.
   */
  public static final class Refusal extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final long retryAfterSeconds;

    /** A refusal with {@code status}, OpenAI's error {@code type} and {@code code}. */
    public Refusal(int status, String type, String code, String message) {
      this(status, type, code, "", message, 0);
    }

    /**
     * A refusal naming {@code param} (a field or header), answered with {@code Retry-After:
     * retryAfterSeconds} when that is positive.
     */
    public Refusal(
        int status,
        String type,
        String code,
        String param,
        String message,
        long retryAfterSeconds) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
      this.code = code;
      this.param = param;
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The field or header it names, or {@code ""}. */
    public String param() {
      return param;
    }

    /** Seconds for {@code Retry-After}, or 0 for none. */
    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }

    /** The HTTP status. */
    public int status() {
      return status;
    }

    /** OpenAI's error type ({@code requests}, {@code insufficient_quota}, ...). */
    public String type() {
      return type;
    }

    /** OpenAI's error code ({@code rate_limit_exceeded}, {@code invalid_signature}, ...). */
    public String code() {
      return code;
    }
  }

  /** A 405 for a known route called with a method it does not answer. */
  public static final class MethodNotAllowed extends RuntimeException {
    final String allowed;

    /** Creates the error for {@code method} on {@code path}, which answers {@code allowed}. */
    public MethodNotAllowed(String method, String path, String allowed) {
      super(path + " does not answer " + method + "; it answers " + allowed);
      this.allowed = allowed;
    }

    /** The methods the route answers, for the {@code Allow} header. */
    public String allowed() {
      return allowed;
    }
  }

  /**
   * A request refused by API-key authentication: 401 {@code invalid_api_key} (no key, an unknown or
   * a revoked one) or 403 {@code insufficient_scope}. Its message never holds the key.
   */
  public static final class AuthRefused extends RuntimeException {
    final int status;
    final String type;
    final String code;
    final String challenge;

    private AuthRefused(int status, String type, String code, String challenge, String message) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
      this.code = code;
      this.challenge = challenge;
    }

    /** 401: the server requires a key and none was sent. */
    public static AuthRefused missingKey() {
      return new AuthRefused(
          401,
          "invalid_request_error",
          "invalid_api_key",
          "Bearer realm=\"atelier\"",
          "this server requires an API key: send Authorization: Bearer atl_... (an operator"
              + " creates one with `atelier keys create --name NAME`)");
    }

    /** 401: the key sent is unknown or revoked. */
    public static AuthRefused invalidKey() {
      return new AuthRefused(
          401,
          "invalid_request_error",
          "invalid_api_key",
          "Bearer realm=\"atelier\", error=\"invalid_token\"",
          "the API key is not valid: it is unknown or was revoked");
    }

    /** 403: the key lacks {@code scope}, which {@code path} needs. */
    public static AuthRefused insufficientScope(String scope, String path) {
      return new AuthRefused(
          403,
          "invalid_request_error",
          "insufficient_scope",
          "Bearer realm=\"atelier\", error=\"insufficient_scope\", scope=\"" + scope + "\"",
          "this API key lacks the scope '"
              + scope
              + "' that "
              + path
              + " needs; create a key with --scopes "
              + scope
              + " (or admin)");
    }

    /** The {@code WWW-Authenticate} header to send with the answer. */
    public String challenge() {
      return challenge;
    }
  }

  /** An answer in OpenAI's error shape. */
  public static Answer answer(int status, String message, String type, String param, String code) {
    Map<String, JsonValue> err = new LinkedHashMap<>();
    err.put("message", new JsonValue.Str(message == null ? "" : message));
    err.put("type", new JsonValue.Str(type));
    err.put(
        "param",
        param == null || param.isEmpty() ? JsonValue.Null.INSTANCE : new JsonValue.Str(param));
    err.put("code", new JsonValue.Str(code));
    return new Answer(
        status, Json.write(new JsonValue.Obj(Map.of("error", new JsonValue.Obj(err)))));
  }
}
