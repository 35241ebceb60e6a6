package dev.atelier.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What the store knows of an {@code Idempotency-Key}: the answer to a request that sent one.
 *
 * <p>Keys are per owner. A key is remembered for a time (24 h in the server); within it, the same
 * key with the same request hash gets the first request's job or response again, and with another
 * hash a conflict.
 */
public final class Idempotency {
  private Idempotency() {}

  /**
   * A key as a request sent it.
   *
   * @param owner the sender's owner
   * @param key the header's value
   * @param requestHash a hash of what was sent (method, path, body)
   * @param at when it was sent
   */
  public record Key(String owner, String key, String requestHash, Instant at) {
    /** Validates. */
    public Key {
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(requestHash, "requestHash");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A remembered key.
   *
   * @param requestHash the hash of the request that first sent it
   * @param jobId the job that request made ({@code ""} when it made none)
   * @param responseStatus the status of its response ({@code 0} while it runs or when it made a
   *     job)
   * @param response the body of its response
   * @param createdAt when it was first sent
   */
  public record Entry(
      String requestHash, String jobId, int responseStatus, String response, Instant createdAt) {
    /** Validates. */
    public Entry {
      Objects.requireNonNull(requestHash, "requestHash");
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(response, "response");
      Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether the first request is still running (no job, no response yet). */
    public boolean inProgress() {
      return jobId.isEmpty() && responseStatus == 0;
    }
  }

  /** What sending a key finds. */
  public sealed interface Check {}

  /** The key is new (or forgotten): this request runs, and the key is now taken by it. */
  public record Fresh() implements Check {}

  /** The same key with the same request: answer as {@code entry} says. */
  public record Replay(Entry entry) implements Check {}

  /** The same key with another request. */
  public record Conflict(Entry entry) implements Check {}
}
