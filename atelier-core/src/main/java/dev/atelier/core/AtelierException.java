package dev.atelier.core;

/**
 * The one failure type of Atelier's domain; each subtype maps to one kind of answer on the wire.
 *
 * <p>{@link InvalidRequest} is the client's mistake (HTTP 400, CLI exit code 2) and names the
 * offending parameter; {@link ModelUnavailable} means a model folder is missing or does not fit the
 * engine; {@link Cancelled} means the caller stopped the work; {@link UpstreamFailure} is an
 * upstream image API refusing or failing; {@link EngineFailure} is the engine's own fault. Plain
 * {@link IllegalArgumentException}s thrown by value constructors are turned into {@link
 * InvalidRequest} at the edge that knows the parameter name. {@link PayloadTooLarge} is the client
 * sending more than a documented limit allows (HTTP 413).
 */
public abstract sealed class AtelierException extends RuntimeException {

  private AtelierException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A request parameter is missing, malformed or out of range. */
  public static final class InvalidRequest extends AtelierException {
    private final String param;
    private final String code;

    /**
     * Creates the error with OpenAI's code {@code invalid_value}.
     *
     * @param param the parameter's wire name (e.g. {@code "n"}), or {@code ""} when none applies
     * @param message what was expected and what was found
     */
    public InvalidRequest(String param, String message) {
      this(param, message, "invalid_value");
    }

    /**
     * Creates the error with another OpenAI error code.
     *
     * @param param the parameter's wire name, or {@code ""}
     * @param message what was expected and what was found
     * @param code OpenAI's machine-readable code, e.g. {@code unknown_parameter}
     */
    public InvalidRequest(String param, String message, String code) {
      super(message, null);
      this.param = param;
      this.code = code;
    }

    /** The parameter's wire name, or {@code ""}. */
    public String param() {
      return param;
    }

    /** OpenAI's error code: {@code invalid_value} unless the cause was more specific. */
    public String code() {
      return code;
    }
  }

  /** The request, or one part of it, is larger than a documented limit allows. */
  public static final class PayloadTooLarge extends AtelierException {
    private final String param;

    /**
     * Creates the error.
     *
     * @param param the parameter or multipart part that is too large, or {@code ""} for the body
     * @param message how large it was (or was declared) and the limit, with the flag that sets it
     */
    public PayloadTooLarge(String param, String message) {
      super(message, null);
      this.param = param;
    }

    /** The parameter's wire name, or {@code ""}. */
    public String param() {
      return param;
    }
  }

  /** A resource named by the client (image, session, round, model) does not exist. */
  public static final class NotFound extends AtelierException {
    private final String param;

    /**
     * Creates the error.
     *
     * @param param the parameter that named the missing resource (e.g. {@code "session"})
     * @param message which resource is missing
     */
    public NotFound(String param, String message) {
      super(message, null);
      this.param = param;
    }

    /** The parameter's wire name, or {@code ""}. */
    public String param() {
      return param;
    }
  }

  /** Storage (database or blob files) failed; nothing was committed. */
  public static final class StorageFailure extends AtelierException {
    /** Creates the error. */
    public StorageFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A model could not be found, loaded or used with the requested operation. */
  public static final class ModelUnavailable extends AtelierException {
    /** Creates the error; the message names the file or component and what was wrong. */
    public ModelUnavailable(String message) {
      super(message, null);
    }

    /** Creates the error with the underlying cause (an ONNX Runtime or IO failure). */
    public ModelUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The caller cancelled the work; nothing was produced. */
  public static final class Cancelled extends AtelierException {
    /** Creates the error. */
    public Cancelled(String message) {
      super(message, null);
    }
  }

  /** The engine failed for a reason that is not the caller's. */
  public static final class EngineFailure extends AtelierException {
    /** Creates the error. */
    public EngineFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * An upstream image API (the {@code openai} engine) refused or failed the call. A 4xx from the
   * upstream is the client's to fix and keeps its status and message; anything else (5xx after
   * retries, timeouts, malformed answers) is a bad gateway.
   */
  public static final class UpstreamFailure extends AtelierException {
    private final int status;
    private final String param;
    private final String code;

    /**
     * Creates the error.
     *
     * @param status the upstream's HTTP status for its 4xx answers; 502 for everything else
     * @param param the request field the upstream named, or empty
     * @param code the upstream's error code, or a short word of ours ({@code upstream_timeout})
     */
    public UpstreamFailure(int status, String message, String param, String code, Throwable cause) {
      super(message, cause);
      this.status = status;
      this.param = param == null ? "" : param;
      this.code = code == null ? "" : code;
    }

    /** The HTTP status to answer with: the upstream's 4xx, else 502. */
    public int status() {
      return status;
    }

    /** The field the upstream named, or empty. */
    public String param() {
      return param;
    }

    /** The upstream's error code or ours. */
    public String code() {
      return code;
    }
  }
}
