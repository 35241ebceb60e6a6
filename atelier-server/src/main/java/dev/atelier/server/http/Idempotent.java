package dev.atelier.server.http;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.server.auth.Caller;
import dev.atelier.store.Idempotency;
import dev.atelier.store.MetadataStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * {@code Idempotency-Key} on POSTs that make no job (undo, checkout, plan, compose, cancel, dry
 * runs): the first request's answer is recorded and a retry with the same key and body gets it
 * again without running; another body is a 409 naming the header. Image-producing POSTs keep their
 * key with their job ({@link JobSubmission}).
 *
 * <p>Only successful answers are kept: a refused request releases its key, so a corrected retry
 * runs. A retry while the first still runs is a 409 that says so.
 */
public final class Idempotent {
  /** How long a key is remembered. */
  static final Duration TTL = Duration.ofHours(24);

  private static final String TAKEN = "atelier.idempotencyKey";

  private Idempotent() {}

  /**
   * Installs before and after handlers for every POST not in {@code jobRoutes} (those keep their
   * key with their job).
   */
  public static void install(
      JavalinConfig c, MetadataStore store, java.util.function.Predicate<String> jobRoute) {
    c.routes.beforeMatched(
        ctx -> {
          if (!ctx.method().name().equals("POST") || jobRoute.test(ctx.path())) {
            return;
          }
          Optional<String> key = JobSubmission.idempotencyKey(ctx);
          if (key.isEmpty()) {
            return;
          }
          Caller caller = Caller.of(ctx);
          String hash = hash("POST " + ctx.path(), ctx.bodyAsBytes());
          Idempotency.Key k = new Idempotency.Key(caller.owner(), key.get(), hash, Instant.now());
          switch (store.takeIdempotencyKey(k, TTL)) {
            case Idempotency.Fresh f -> ctx.attribute(TAKEN, k);
            case Idempotency.Conflict x -> throw conflict(key.get());
            case Idempotency.Replay r -> {
              if (r.entry().inProgress()) {
                throw new ErrorMapper.Refusal(
                    409,
                    "invalid_request_error",
                    "idempotency_key_in_use",
                    JobSubmission.IDEMPOTENCY_KEY,
                    "a request with this Idempotency-Key is still running; retry when it has"
                        + " answered",
                    1);
              }
              ctx.status(r.entry().responseStatus())
                  .contentType("application/json")
                  .result(r.entry().response());
              ctx.header("Idempotent-Replayed", "true");
              ctx.skipRemainingHandlers();
            }
          }
        });
    c.routes.after(
        ctx -> {
          Idempotency.Key k = ctx.attribute(TAKEN);
          if (k == null) {
            return;
          }
          int status = ctx.statusCode();
          String body = ctx.result();
          if (status >= 200 && status < 300 && body != null) {
            store.recordResponse(k.owner(), k.key(), status, body);
          } else {
            store.releaseIdempotencyKey(k.owner(), k.key());
          }
        });
  }

  /**
   * Answers a job route's immediate answer (a dry run), keeping it for {@code key} as a POST
   * without a job keeps its answer.
   */
  static void answer(
      Context ctx,
      MetadataStore store,
      Optional<String> key,
      Caller caller,
      String requestHash,
      int status,
      JsonValue.Obj body) {
    String text = Json.write(body);
    if (key.isPresent()) {
      Idempotency.Key k =
          new Idempotency.Key(caller.owner(), key.get(), requestHash, Instant.now());
      switch (store.takeIdempotencyKey(k, TTL)) {
        case Idempotency.Fresh f -> store.recordResponse(k.owner(), k.key(), status, text);
        case Idempotency.Conflict x -> throw conflict(key.get());
        case Idempotency.Replay r -> {
          if (!r.entry().inProgress() && r.entry().jobId().isEmpty()) {
            ctx.status(r.entry().responseStatus())
                .contentType("application/json")
                .result(r.entry().response());
            return;
          }
        }
      }
    }
    ctx.status(status).contentType("application/json").result(text);
  }

  /** The 409 for a key sent again with another request. */
  static ErrorMapper.Refusal conflict(String key) {
    return new ErrorMapper.Refusal(
        409,
        "invalid_request_error",
        "idempotency_key_reused",
        JobSubmission.IDEMPOTENCY_KEY,
        "the Idempotency-Key '"
            + key
            + "' was already used within 24 h with a different request (method, path or body);"
            + " use a new key for a new request",
        0);
  }

  private static String hash(String what, byte[] body) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(what.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(body);
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
