package dev.atelier.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One job row: a request for images, its owner, where it is, and what it produced.
 *
 * @param id {@code job_...}
 * @param owner the owner of the key that sent it ({@code ""} for the keyless single user)
 * @param keyId the id of that key ({@code ""} without one)
 * @param kind what it makes ({@code image_generation}, {@code image_edit}, {@code session_round},
 *     ...)
 * @param status where it is
 * @param request the canonical request it runs from (JSON), enough to run it again after a crash
 * @param inputs the SHA-256s of the input images {@code request} names, kept from the orphan sweep
 * @param n how many images it makes
 * @param createdAt when it was queued (the queue's order)
 * @param startedAt when its latest attempt started
 * @param completedAt when it ended
 * @param attempts how many times a worker claimed it
 * @param leaseOwner the worker holding it ({@code ""} when none)
 * @param leaseExpiresAt until when that worker holds it
 * @param cancelRequested whether a cancel reached it while it ran (its worker stops at the next
 *     step)
 * @param progress the latest progress its worker reported (JSON, {@code ""} before any)
 * @param resultStatus the HTTP status of the waiting call's answer ({@code 0} until completed)
 * @param result the body of the waiting call's answer (JSON, {@code ""} until completed)
 * @param error the error object of a failed job (JSON, {@code ""} otherwise)
 * @param model the served model id it runs on, picked when it was queued: only a worker serving
 *     that model claims it ({@code ""}: any worker, as for jobs queued before schema 8)
 */
public record Job(
    String id,
    String owner,
    String keyId,
    String kind,
    JobStatus status,
    String request,
    Set<String> inputs,
    int n,
    Instant createdAt,
    Optional<Instant> startedAt,
    Optional<Instant> completedAt,
    int attempts,
    String leaseOwner,
    Optional<Instant> leaseExpiresAt,
    boolean cancelRequested,
    String progress,
    int resultStatus,
    String result,
    String error,
    String model) {

  /** Validates and copies. */
  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(request, "request");
    inputs = Set.copyOf(inputs);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(completedAt, "completedAt");
    Objects.requireNonNull(leaseOwner, "leaseOwner");
    Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(model, "model");
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0 but was " + n);
    }
  }

  /** A new queued job that any worker may run. */
  public static Job queued(
      String id,
      String owner,
      String keyId,
      String kind,
      String request,
      Set<String> inputs,
      int n,
      Instant createdAt) {
    return queued(id, owner, keyId, kind, request, inputs, n, createdAt, "");
  }

  /** A new queued job for the workers that serve {@code model} ({@code ""}: any worker). */
  public static Job queued(
      String id,
      String owner,
      String keyId,
      String kind,
      String request,
      Set<String> inputs,
      int n,
      Instant createdAt,
      String model) {
    return new Job(
        id,
        owner,
        keyId,
        kind,
        JobStatus.QUEUED,
        request,
        inputs,
        n,
        createdAt,
        Optional.empty(),
        Optional.empty(),
        0,
        "",
        Optional.empty(),
        false,
        "",
        0,
        "",
        "",
        model);
  }
}
