package dev.atelier.engine.openai.internal;

import dev.atelier.core.CancellationToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpHeaders;
import java.time.Duration;

/**
 * An upstream's answer whose body is read on the caller's thread, chunk by chunk, within the call's
 * deadline and stopping on cancellation.
 */
public final class Response implements AutoCloseable {
  private static final long MAX_BODY = 512L << 20;
  private static final int MAX_ERROR_BODY = 64 << 10;

  private final int status;
  private final HttpHeaders headers;
  private final BodyQueue body;
  private final long deadlineNanos;
  private final Duration timeout;
  private final CancellationToken cancel;

  Response(
      int status,
      HttpHeaders headers,
      BodyQueue body,
      long deadlineNanos,
      Duration timeout,
      CancellationToken cancel) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.deadlineNanos = deadlineNanos;
    this.timeout = timeout;
    this.cancel = cancel;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The response headers. */
  public HttpHeaders headers() {
    return headers;
  }

  /** The upstream's {@code x-request-id}, or {@code ""}. */
  public String requestId() {
    return headers.firstValue("x-request-id").orElse("");
  }

  /** Whether the body is a server-sent event stream. */
  public boolean isEventStream() {
    return headers
        .firstValue("content-type")
        .map(t -> t.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream"))
        .orElse(false);
  }

  /**
   * The next chunk of the body, or an empty array at its end.
   *
   * @throws dev.atelier.core.AtelierException.UpstreamFailure on timeout or a broken connection
   * @throws dev.atelier.core.AtelierException.Cancelled when cancelled while waiting
   */
  public byte[] nextChunk() {
    try {
      return body.next(deadlineNanos, cancel);
    } catch (BodyQueue.BodyTimeout e) {
      body.cancel();
      throw Failures.timeout(timeout, e);
    } catch (IOException e) {
      throw Failures.unreachable(
          "upstream connection broke while sending its answer: "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    }
  }

  /**
   * The whole body.
   *
   * @throws dev.atelier.core.AtelierException.UpstreamFailure on timeout, a broken connection or a
   *     body over 512 MiB
   */
  public byte[] readAll() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] chunk = nextChunk(); chunk.length > 0; chunk = nextChunk()) {
      if (out.size() + (long) chunk.length > MAX_BODY) {
        body.cancel();
        throw Failures.badResponse("upstream answer is larger than " + (MAX_BODY >> 20) + " MiB");
      }
      out.writeBytes(chunk);
    }
    return out.toByteArray();
  }

  /** Up to 64 KiB of an error answer's body; empty when it cannot be read. */
  byte[] readErrorBody() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (byte[] chunk = nextChunk(); chunk.length > 0; chunk = nextChunk()) {
        out.write(chunk, 0, Math.min(chunk.length, MAX_ERROR_BODY - out.size()));
        if (out.size() >= MAX_ERROR_BODY) {
          break;
        }
      }
    } catch (dev.atelier.core.AtelierException.UpstreamFailure unreadable) {
      // The status alone still says what happened.
    }
    return out.toByteArray();
  }

  /**
   * Stops between events when the caller cancelled.
   *
   * @throws dev.atelier.core.AtelierException.Cancelled when cancelled
   */
  public void throwIfCancelled() {
    cancel.throwIfCancelled("while reading the upstream's answer");
  }

  /** Stops reading; what is left of the body is discarded. */
  @Override
  public void close() {
    body.cancel();
  }
}
