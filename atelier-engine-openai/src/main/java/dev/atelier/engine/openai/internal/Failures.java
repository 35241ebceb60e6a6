package dev.atelier.engine.openai.internal;

import dev.atelier.core.AtelierException.UpstreamFailure;
import java.time.Duration;

/** The {@link UpstreamFailure}s the engine raises itself, with their codes in one place. */
public final class Failures {
  /** Our code for an upstream that did not answer in time. */
  public static final String TIMEOUT = "upstream_timeout";

  /** Our code for an answer that is not what the Images API promises. */
  public static final String BAD_RESPONSE = "upstream_bad_response";

  /** Our code for an upstream that could not be reached or dropped the connection. */
  public static final String UNREACHABLE = "upstream_unreachable";

  /** Our code for a 5xx (or other non-4xx) the upstream kept answering. */
  public static final String UPSTREAM_ERROR = "upstream_error";

  private static final int BAD_GATEWAY = 502;

  private Failures() {}

  /** The upstream answered something that is not a valid Images API answer. */
  public static UpstreamFailure badResponse(String message) {
    return new UpstreamFailure(BAD_GATEWAY, message, "", BAD_RESPONSE, null);
  }

  /** As {@link #badResponse(String)}, with the parser's or decoder's exception. */
  public static UpstreamFailure badResponse(String message, Throwable cause) {
    return new UpstreamFailure(BAD_GATEWAY, message, "", BAD_RESPONSE, cause);
  }

  /** The upstream did not answer within the request timeout; the call is not retried. */
  public static UpstreamFailure timeout(Duration limit, Throwable cause) {
    return new UpstreamFailure(
        BAD_GATEWAY,
        "upstream did not answer within " + describe(limit) + " (requestTimeout)",
        "",
        TIMEOUT,
        cause);
  }

  /** The upstream could not be reached, or the connection broke. */
  public static UpstreamFailure unreachable(String message, Throwable cause) {
    return new UpstreamFailure(BAD_GATEWAY, message, "", UNREACHABLE, cause);
  }

  /**
   * A 5xx (or another status that is not 4xx) after all retries; {@code code} is the upstream's, or
   * {@code ""} for {@link #UPSTREAM_ERROR}.
   */
  public static UpstreamFailure gateway(String message, String code) {
    return new UpstreamFailure(
        BAD_GATEWAY, message, "", code.isEmpty() ? UPSTREAM_ERROR : code, null);
  }

  static String describe(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }
}
