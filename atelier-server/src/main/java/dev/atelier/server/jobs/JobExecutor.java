package dev.atelier.server.jobs;

import dev.atelier.core.CancellationToken;
import dev.atelier.core.ProgressListener;
import dev.atelier.core.json.JsonValue;
import dev.atelier.store.Job;

/**
 * Turns a job's stored request into work. The HTTP routes implement it: the same code that checks a
 * request when it arrives prepares it again from the stored request when a worker claims the job
 * after a restart.
 */
@FunctionalInterface
public interface JobExecutor {
  /**
   * Prepares {@code job}'s work, its metadata writes going to {@code writes}.
   *
   * @throws dev.atelier.core.AtelierException when the request is no longer valid (its session was
   *     deleted meanwhile): the job fails with that error
   */
  Execution prepare(Job job, PendingWrites writes);

  /** A job's work, ready to run. */
  @FunctionalInterface
  interface Execution {
    /**
     * Runs the engine and stores the images' bytes; the rows go to the {@link PendingWrites} the
     * execution was prepared with.
     *
     * @throws dev.atelier.core.AtelierException.Cancelled when {@code cancel} stopped it
     */
    Outcome run(ProgressListener progress, CancellationToken cancel);

    /**
     * The listener this work runs with when it was prepared from its stored request (no request
     * waits on it in this process): it adds the request's partial images to {@code events}, as the
     * request's own listener does where it was submitted. {@link ProgressListener#NONE} by default.
     */
    default ProgressListener listener(JobEvents events) {
      return ProgressListener.NONE;
    }

    /** The served model this work runs on (a metrics label); empty when unknown. */
    default String model() {
      return "";
    }

    /** {@code work} running on served model {@code model}. */
    static Execution on(String model, Execution work) {
      java.util.Objects.requireNonNull(model, "model");
      java.util.Objects.requireNonNull(work, "work");
      return new Execution() {
        @Override
        public Outcome run(ProgressListener progress, CancellationToken cancel) {
          return work.run(progress, cancel);
        }

        @Override
        public ProgressListener listener(JobEvents events) {
          return work.listener(events);
        }

        @Override
        public String model() {
          return model;
        }
      };
    }
  }

  /**
   * What a job's work made.
   *
   * @param status the HTTP status of the waiting call's answer
   * @param body the waiting call's answer
   * @param images how many images it made
   * @param detail what a streamed request in this process needs to write its completed events
   *     (never stored)
   */
  record Outcome(int status, JsonValue.Obj body, int images, Object detail) {}
}
