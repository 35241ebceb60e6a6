package dev.atelier.engine.openai.internal;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.engine.openai.Sleeper;
import dev.atelier.engine.openai.UpstreamConfig;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one Images API call: authentication headers, the request timeout, retries of the answers
 * that mean the upstream did no work, and the mapping of refusals to {@link
 * AtelierException.UpstreamFailure}.
 *
 * <p>Retried: 429 (except {@code insufficient_quota}, which waiting does not fix), 5xx and refused
 * connections, as the OpenAI SDKs do, also when the upstream says {@code x-should-retry: true};
 * never a timeout or a connection that broke after the request was sent, because image calls are
 * billed and the upstream may have done the work. Other 4xx fail at once with the upstream's
 * status, message, param and code. Thread-safe.
 */
public final class UpstreamHttp implements AutoCloseable {

  private final UpstreamConfig config;
  private final Sleeper sleeper;
  private final Backoff backoff;
  private final ExecutorService executor;
  private final HttpClient client;

  /** A client for this upstream; it owns its threads until {@link #close()}. */
  public UpstreamHttp(UpstreamConfig config, Sleeper sleeper, Backoff backoff) {
    this.config = config;
    this.sleeper = sleeper;
    this.backoff = backoff;
    this.executor =
        Executors.newCachedThreadPool(
            Thread.ofPlatform().name("atelier-openai-http-", 0).daemon().factory());
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .build();
  }

  /**
   * One request to the upstream.
   *
   * @param method {@code GET} or {@code POST}
   * @param path below the base URL, e.g. {@code /images/generations}
   * @param contentType the body's type, or {@code ""} without a body
   * @param body the body bytes (empty without one)
   * @param accept the {@code Accept} header
   */
  public record Request(
      String method, String path, String contentType, byte[] body, String accept) {}

  /**
   * Sends {@code request}, retrying as the class comment says, and returns the 2xx answer.
   *
   * @param retries whether to retry at all ({@code false} for diagnostics)
   * @throws AtelierException.UpstreamFailure when the upstream refuses, fails or times out
   * @throws AtelierException.Cancelled when cancelled before or between attempts
   */
  public Response send(Request request, CancellationToken cancel, boolean retries) {
    int allowed = retries ? config.maxRetries() : 0;
    for (int attempt = 0; ; attempt++) {
      cancel.throwIfCancelled("before calling the upstream");
      Response response;
      try {
        response = open(request, cancel);
      } catch (ConnectException e) {
        // Refused or timed out while connecting: nothing reached the upstream, so a retry is safe.
        if (attempt < allowed) {
          pause(backoff.delay(attempt, HttpHeaders.of(Map.of(), (a, b) -> true)), cancel);
          continue;
        }
        throw Failures.unreachable(
            "upstream " + config.baseUrl() + " could not be reached: " + describe(e), e);
      }
      int status = response.status();
      if (status >= 200 && status < 300) {
        return response;
      }
      UpstreamError error;
      try (response) {
        error = UpstreamError.parse(response.readErrorBody()).redacted(config.apiKey());
      }
      if (attempt < allowed && retryable(status, error, response.headers())) {
        pause(backoff.delay(attempt, response.headers()), cancel);
        continue;
      }
      throw refusal(status, error, attempt + 1);
    }
  }

  /** The status and headers of an answer, with its body still to be read. */
  private Response open(Request request, CancellationToken cancel) throws ConnectException {
    long start = System.nanoTime();
    Duration timeout = config.requestTimeout();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(config.baseUrl() + request.path()))
            .timeout(timeout)
            .header("Authorization", "Bearer " + config.apiKey())
            .header("Accept", request.accept())
            .header("User-Agent", "atelier-engine-openai");
    if (config.baseUrl().startsWith("http:")) {
      // No h2c upgrade dance with plain-HTTP proxies and test servers.
      b.version(HttpClient.Version.HTTP_1_1);
    }
    if (!config.organization().isEmpty()) {
      b.header("OpenAI-Organization", config.organization());
    }
    if (!config.project().isEmpty()) {
      b.header("OpenAI-Project", config.project());
    }
    if (request.contentType().isEmpty()) {
      b.method(request.method(), HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", request.contentType());
      b.method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
    }
    BodyQueue body = new BodyQueue();
    CompletableFuture<HttpResponse<BodyQueue>> future = client.sendAsync(b.build(), info -> body);
    long deadline = start + timeout.toNanos();
    try {
      while (true) {
        if (cancel.isCancelled()) {
          future.cancel(true);
          cancel.throwIfCancelled("while waiting for the upstream");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          future.cancel(true);
          throw Failures.timeout(timeout, null);
        }
        try {
          HttpResponse<BodyQueue> r =
              future.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
          return new Response(r.statusCode(), r.headers(), body, deadline, timeout, cancel);
        } catch (TimeoutException stillWaiting) {
          // Loop to check cancellation and the deadline.
        }
      }
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new AtelierException.Cancelled("interrupted while waiting for the upstream");
    } catch (CancellationException e) {
      throw Failures.unreachable("upstream call was aborted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HttpConnectTimeoutException t) {
        ConnectException c = new ConnectException("connect timed out");
        c.initCause(t);
        throw c;
      }
      if (cause instanceof ConnectException c) {
        throw c;
      }
      if (cause instanceof HttpTimeoutException t) {
        throw Failures.timeout(timeout, t);
      }
      throw Failures.unreachable(
          "upstream connection to " + config.baseUrl() + " failed: " + describe(cause), cause);
    }
  }

  private static boolean retryable(int status, UpstreamError error, HttpHeaders headers) {
    String hint = headers.firstValue("x-should-retry").orElse("");
    if (hint.equals("true")) {
      return true;
    }
    if (hint.equals("false")) {
      return false;
    }
    if (status == 429) {
      return !error.code().equals("insufficient_quota");
    }
    return status >= 500;
  }

  private static AtelierException.UpstreamFailure refusal(
      int status, UpstreamError error, int attempts) {
    String text = error.message();
    if (status >= 400 && status < 500) {
      String message =
          error.structured()
              ? text
              : "upstream answered HTTP " + status + (text.isEmpty() ? "" : ": " + text);
      return new AtelierException.UpstreamFailure(
          status, message, error.param(), error.code(), null);
    }
    return Failures.gateway(
        "upstream answered HTTP "
            + status
            + (attempts > 1 ? " " + attempts + " times" : "")
            + (text.isEmpty() ? "" : ": " + text),
        error.code());
  }

  private void pause(Duration delay, CancellationToken cancel) {
    cancel.throwIfCancelled("before retrying the upstream");
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AtelierException.Cancelled("interrupted while waiting to retry the upstream");
    }
  }

  private String describe(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return Redaction.redact(m, config.apiKey());
  }

  /** Closes the HTTP client and its threads. */
  @Override
  public void close() {
    client.close();
    executor.shutdown();
  }
}
