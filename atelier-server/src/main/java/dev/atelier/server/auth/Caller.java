package dev.atelier.server.auth;

import io.javalin.http.Context;
import java.util.Objects;
import java.util.Set;

/**
 * Who makes a request: the API key's id, its owner, its scopes and its limits. Authentication puts
 * one on every request ({@link #of} reads it); ownership checks, listings and rate limits read it.
 * Without keys (loopback, single user) every request is {@link #ANONYMOUS}, which owns what it
 * makes under the empty owner and sees everything, as before keys existed.
 *
 * @param keyId the key's id ({@code key_...}), or {@code ""} for anonymous requests
 * @param owner the owner every row made by this request records ({@code ""} when anonymous)
 * @param scopes what the key may do ({@code images}, {@code sessions}, {@code admin})
 * @param requestsPerMinute the key's rate limit, 0 for none
 * @param imagesPerDay the key's daily image quota, 0 for none
 * @param concurrentGenerations how many image-producing requests may run at once, 0 for no limit
 */
public record Caller(
    String keyId,
    String owner,
    Set<String> scopes,
    int requestsPerMinute,
    int imagesPerDay,
    int concurrentGenerations) {

  /** The caller of a server without keys: one user who owns and sees everything. */
  public static final Caller ANONYMOUS = new Caller("", "", Set.of("admin"), 0, 0, 0);

  /** The context attribute authentication stores the caller under. */
  public static final String ATTRIBUTE = "atelier.caller";

  /** Validates the values. */
  public Caller {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(owner, "owner");
    scopes = Set.copyOf(scopes);
    if (requestsPerMinute < 0 || imagesPerDay < 0 || concurrentGenerations < 0) {
      throw new IllegalArgumentException("limits must be >= 0 (0 = none)");
    }
  }

  /** Whether this caller sees every owner's data (scope {@code admin}). */
  public boolean admin() {
    return scopes.contains("admin");
  }

  /** Whether this caller may read or change a row recorded with {@code rowOwner}. */
  public boolean owns(String rowOwner) {
    return admin() || owner.equals(rowOwner);
  }

  /** The caller of {@code ctx}: what authentication stored, else {@link #ANONYMOUS}. */
  public static Caller of(Context ctx) {
    Caller c = ctx.attribute(ATTRIBUTE);
    return c == null ? ANONYMOUS : c;
  }
}
