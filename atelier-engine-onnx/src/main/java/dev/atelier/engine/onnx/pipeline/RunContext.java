package dev.atelier.engine.onnx.pipeline;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.ProgressListener;
import java.util.Objects;

/**
 * What a pipeline run reports to and is stopped by.
 *
 * @param progress called after every step
 * @param cancel checked before every step
 * @param timings receives per-stage wall times
 * @param observer sees the latents after every step
 */
public record RunContext(
    ProgressListener progress,
    CancellationToken cancel,
    StageTimings timings,
    LatentObserver observer) {

  /** Checks for nulls. */
  public RunContext {
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(cancel, "cancel");
    Objects.requireNonNull(timings, "timings");
    Objects.requireNonNull(observer, "observer");
  }

  /** A context that reports nowhere and is never cancelled. */
  public static RunContext quiet() {
    return new RunContext(
        ProgressListener.NONE, CancellationToken.none(), new StageTimings(), LatentObserver.NONE);
  }
}
