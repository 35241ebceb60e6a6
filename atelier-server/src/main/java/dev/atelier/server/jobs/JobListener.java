package dev.atelier.server.jobs;

import java.time.Duration;

/** What the scheduler reports as jobs move, for metrics. All methods do nothing by default. */
public interface JobListener {
  /** No reports. */
  JobListener NONE = new JobListener() {};

  /** A job of {@code kind} was queued. */
  default void queued(String kind) {}

  /** A worker started a job of {@code kind}. */
  default void started(String kind) {}

  /**
   * A job ended.
   *
   * @param status completed, failed or cancelled
   * @param took from start to end of this attempt
   */
  default void finished(String kind, String status, Duration took) {}

  /**
   * A job ended, with the served model it ran on; by default reports {@link #finished(String,
   * String, Duration)}.
   *
   * @param model the served model id; empty when the job's request could not be prepared
   */
  default void finished(String kind, String model, String status, Duration took) {
    finished(kind, status, took);
  }

  /** A job failed with error {@code code}. */
  default void failed(String code) {}

  /** One denoising step took {@code took}. */
  default void step(Duration took) {}

  /** A completed job made {@code n} images. */
  default void imagesProduced(int n) {}
}
