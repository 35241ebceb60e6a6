package dev.atelier.server.ops;

import dev.atelier.server.jobs.JobListener;
import java.time.Duration;

/** The scheduler's reports as metrics: queued, started, finished, failures, steps, images. */
public final class JobMetrics implements JobListener {
  private final Metrics metrics;
  private final String engine;

  /** Reports into {@code metrics}, labelling job times with {@code engine}. */
  public JobMetrics(Metrics metrics, String engine) {
    this.metrics = metrics;
    this.engine = engine;
  }

  @Override
  public void queued(String kind) {
    metrics.jobQueued(kind);
  }

  @Override
  public void started(String kind) {
    metrics.jobStarted(kind);
  }

  @Override
  public void finished(String kind, String status, Duration took) {
    finished(kind, "", status, took);
  }

  @Override
  public void finished(String kind, String model, String status, Duration took) {
    metrics.jobFinished(kind, engine, model, status, took);
  }

  @Override
  public void failed(String code) {
    metrics.jobFailed(code);
  }

  @Override
  public void step(Duration took) {
    metrics.step(took);
  }

  @Override
  public void imagesProduced(int n) {
    metrics.imagesProduced(n);
  }
}
