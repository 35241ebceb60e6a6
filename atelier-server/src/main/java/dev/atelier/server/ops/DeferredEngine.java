package dev.atelier.server.ops;

import dev.atelier.core.AtelierException;
import dev.atelier.core.CancellationToken;
import dev.atelier.core.EditRequest;
import dev.atelier.core.Engine;
import dev.atelier.core.GeneratedImage;
import dev.atelier.core.GenerationRequest;
import dev.atelier.core.ProgressListener;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An engine that is not loaded yet: the server listens (and answers {@code /readyz} with {@code
 * loading}) while the model loads, and calls made meanwhile wait for it.
 *
 * <p>The loader reports through {@link #progress}, then hands over the engine with {@link #set} or
 * the reason with {@link #fail}; each also updates the {@link Readiness} given. A call made before
 * then blocks until the engine is set (a cancelled call stops waiting), and fails with {@link
 * AtelierException.ModelUnavailable} (HTTP 503, {@code model_unavailable}) when loading failed or
 * the engine was closed. After {@link #set} every call goes straight to the engine.
 *
 * <p>Owns the engine once set: {@link #close()} closes it, and an engine set after close is closed
 * at once.
 */
public final class DeferredEngine implements Engine {
  private final String name;
  private final Readiness readiness;
  private final CompletableFuture<Engine> engine = new CompletableFuture<>();
  private volatile boolean closed;
  private volatile double fraction;
  private volatile String detail = "loading the model";
  private volatile String failure = "";

  /**
   * An engine named {@code name} that is loading; {@code readiness} says so from now on.
   *
   * @param name what {@link #name()} answers before the engine is set ({@code local}, {@code
   *     openai}), so that the server can describe itself while the model loads
   */
  public DeferredEngine(String name, Readiness readiness) {
    this.name = Objects.requireNonNull(name, "name");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    readiness.loading(0, "loading the model");
  }

  /** Reports how far loading is (0.0..1.0) and what it does now. */
  public void progress(double fraction, String detail) {
    if (!engine.isDone()) {
      readiness.loading(fraction, detail);
      this.fraction = fraction;
      this.detail = detail;
    }
  }

  /** How far loading is, 0.0..1.0, as last reported ({@code 1} once set). */
  public double fraction() {
    return isSet() ? 1 : fraction;
  }

  /** What loading does now, as last reported (empty once set). */
  public String detail() {
    return isSet() ? "" : detail;
  }

  /** Why loading failed, when it did. */
  public java.util.Optional<String> failure() {
    return failure.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(failure);
  }

  /**
   * Hands over the loaded engine: waiting calls go on, readiness turns to ready.
   *
   * @throws IllegalStateException when an engine was already set or loading already failed
   */
  public synchronized void set(Engine loaded) {
    Objects.requireNonNull(loaded, "loaded");
    if (closed) {
      // The server stopped while the model loaded: nobody else will close it.
      loaded.close();
      return;
    }
    if (!engine.complete(loaded)) {
      throw new IllegalStateException("the engine was already set or failed");
    }
    readiness.ready();
  }

  /** Says loading failed: waiting and later calls fail with a 503 naming {@code detail}. */
  public void fail(String detail) {
    if (engine.completeExceptionally(
        new AtelierException.ModelUnavailable("the model failed to load: " + detail))) {
      failure = detail.isEmpty() ? "failed" : detail;
      readiness.failed(detail);
    }
  }

  /** Whether the engine is set (false while loading, after a failure). */
  public boolean isSet() {
    return engine.isDone() && !engine.isCompletedExceptionally();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<GeneratedImage> generate(
      GenerationRequest request, ProgressListener progress, CancellationToken cancel) {
    return await(cancel).generate(request, progress, cancel);
  }

  @Override
  public List<GeneratedImage> edit(
      EditRequest request, ProgressListener progress, CancellationToken cancel) {
    return await(cancel).edit(request, progress, cancel);
  }

  @Override
  public boolean seedsReproduce() {
    return await(CancellationToken.none()).seedsReproduce();
  }

  @Override
  public OptionalInt promptTokens(String prompt) {
    return await(CancellationToken.none()).promptTokens(prompt);
  }

  /** The engine, once set; waits for it while loading. */
  private Engine await(CancellationToken cancel) {
    while (true) {
      if (closed) {
        throw new AtelierException.ModelUnavailable("the server is shutting down");
      }
      cancel.throwIfCancelled("waiting for the model to load");
      try {
        // Polls so that a cancelled request (a client that went away) stops waiting.
        return engine.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // still loading
      } catch (ExecutionException e) {
        if (e.getCause() instanceof AtelierException a) {
          throw a;
        }
        throw new AtelierException.ModelUnavailable("the model failed to load", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AtelierException.Cancelled("interrupted while waiting for the model to load");
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      // Closed twice when a model set unloaded it before its giver's close: the engine once.
      return;
    }
    closed = true;
    if (isSet()) {
      engine.join().close();
    }
  }
}
