package dev.atelier.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable job queue: jobs are rows, claimed by workers under leases that heartbeats renew
 * (docs/adr/0021-jobs-table-with-leases.md).
 *
 * <p>Every method is one transaction, so it holds when several processes share one PostgreSQL: a
 * claim never hands one job to two workers ({@code FOR UPDATE SKIP LOCKED}; SQLite's single writer
 * does the same), a worker that lost its lease can neither complete nor fail the job, and the
 * writes a job makes commit with its completion.
 */
public interface JobStore {
  /** What {@link #enqueue} did. */
  sealed interface Enqueued {}

  /** The job was queued. */
  record Accepted(Job job) implements Enqueued {}

  /** The queue already held {@code depth} queued jobs, its capacity: nothing was stored. */
  record QueueFull(int depth) implements Enqueued {}

  /** The idempotency key was known: nothing was stored; {@code check} says what it found. */
  record Known(Idempotency.Check check) implements Enqueued {}

  /**
   * The job's API key already had {@code unfinished} jobs queued or running, its limit: nothing was
   * stored.
   */
  record KeyBusy(int unfinished) implements Enqueued {}

  /**
   * Queues {@code job} if fewer than {@code capacity} jobs are queued, and takes {@code key} (if
   * given) for it, in one transaction.
   */
  default Enqueued enqueue(Job job, int capacity, Optional<Idempotency.Key> key, Duration keyTtl) {
    return enqueue(job, capacity, 0, key, keyTtl);
  }

  /**
   * Queues {@code job} if fewer than {@code capacity} jobs are queued and, when {@code keyLimit} is
   * above 0, its API key has fewer than {@code keyLimit} jobs queued or running; takes {@code key}
   * (if given) for it; all in one transaction. Jobs of one API key are queued one transaction at a
   * time (a lock per key on PostgreSQL, the single writer on SQLite), so processes sharing the
   * database never pass the key's limit together.
   */
  Enqueued enqueue(
      Job job, int capacity, int keyLimit, Optional<Idempotency.Key> key, Duration keyTtl);

  /** The job {@code id}, if it exists. */
  Optional<Job> job(String id);

  /**
   * One page of {@code owners}' jobs, newest first, optionally only those with {@code status};
   * empty when {@code after} names no job of theirs.
   */
  Optional<Page<Job>> jobs(OwnerScope owners, Optional<JobStatus> status, int limit, String after);

  /** How many queued jobs arrived before job {@code id} (its place in arrival order). */
  int queuedAhead(String id);

  /** How many of key {@code keyId}'s jobs are queued or running. */
  int unfinished(String keyId);

  /** How many jobs are queued and how many run. */
  Counts counts();

  /** Queue counts. */
  record Counts(int queued, int running) {}

  /**
   * Claims the next job for {@code worker}: of the owners with queued jobs, the one whose last
   * claim is oldest (never claimed first), and that owner's oldest job. Sets it in progress, counts
   * the attempt, and leases it until {@code now + lease}.
   */
  default Optional<Job> claim(String worker, Instant now, Duration lease) {
    return claim(worker, now, lease, java.util.Set.of());
  }

  /**
   * Like {@link #claim(String, Instant, Duration)}, among the jobs for the served model ids {@code
   * models} only (and jobs of no model); every job when {@code models} is empty.
   */
  Optional<Job> claim(String worker, Instant now, Duration lease, java.util.Set<String> models);

  /**
   * Renews the lease of job {@code id} held by {@code worker} until {@code until} and records its
   * {@code progress} (JSON).
   *
   * @return what the worker must know: whether it still holds the job and whether a cancel came
   */
  Beat heartbeat(String id, String worker, Instant until, String progress);

  /** What a heartbeat found. */
  record Beat(boolean held, boolean cancelRequested) {}

  /**
   * Completes job {@code id} with the answer of its waiting call and applies {@code writes}, in one
   * transaction; does nothing and returns false when {@code worker} no longer holds it.
   */
  boolean complete(
      String id,
      String worker,
      Instant at,
      int resultStatus,
      String result,
      List<MetadataWrite> writes);

  /**
   * Fails job {@code id} with {@code error} (JSON); false when {@code worker} no longer holds it.
   */
  boolean fail(String id, String worker, Instant at, String error);

  /** Ends job {@code id} as cancelled; false when {@code worker} no longer holds it. */
  boolean cancelled(String id, String worker, Instant at);

  /**
   * Gives running job {@code id} back to the queue without counting the attempt (its worker is
   * shutting down); false when {@code worker} no longer holds it.
   */
  boolean release(String id, String worker);

  /**
   * Cancels job {@code id}: a queued job ends at once; a running one is marked so its worker stops
   * at its next step; an ended one is left as it is.
   *
   * @return the job afterwards, empty when there is none
   */
  Optional<Job> cancel(String id, Instant at);

  /**
   * Takes back jobs whose lease expired before {@code now} (their worker died): queued again while
   * they have had fewer than {@code maxAttempts} attempts, else failed with {@code error} (JSON); a
   * job whose cancel was requested ends cancelled.
   *
   * @return the jobs it changed, as they are now
   */
  List<Job> recoverExpired(Instant now, int maxAttempts, String error);

  /**
   * Looks {@code key} up and, when it is new or older than {@code ttl}, takes it for a request that
   * makes no job (its response is recorded later with {@link #recordResponse}).
   */
  Idempotency.Check takeIdempotencyKey(Idempotency.Key key, Duration ttl);

  /** Records the response of the request that took {@code owner}'s {@code key}. */
  void recordResponse(String owner, String key, int status, String body);

  /** Forgets {@code owner}'s {@code key} (its request failed, so a retry may run again). */
  void releaseIdempotencyKey(String owner, String key);

  /**
   * Keeps the partial image event {@code data} (JSON) that {@code worker} numbered {@code eventId}
   * in job {@code jobId}'s events, for the API nodes that stream it (a preview is over a
   * notification's payload limit; docs/adr/0028-partial-images-through-the-database.md). Storing
   * one again replaces it.
   */
  void savePartialImage(String jobId, String worker, long eventId, String data, Instant at);

  /** The partial image event {@link #savePartialImage} kept under these names, if still kept. */
  Optional<String> partialImage(String jobId, String worker, long eventId);

  /**
   * One kept partial image event of a job.
   *
   * @param worker the worker that numbered it
   * @param eventId its number in that worker's events of the job
   * @param data the event (JSON)
   */
  record PartialImage(String worker, long eventId, String data) {}

  /**
   * Every partial image event kept for job {@code jobId}, by worker and number: what a process that
   * starts following a job after its previews were announced catches up with.
   */
  List<PartialImage> partialImages(String jobId);

  /**
   * Deletes the partial images of jobs that ended before {@code endedBefore}, and all of those
   * stored before {@code storedBefore}.
   *
   * @return how many it deleted
   */
  int sweepPartialImages(Instant endedBefore, Instant storedBefore);
}
