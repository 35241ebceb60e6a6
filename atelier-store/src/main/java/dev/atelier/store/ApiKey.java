package dev.atelier.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An API key as the metadata store holds it: everything but the secret, which is never stored.
 *
 * <p>{@link #hash} is the hex SHA-256 of the secret ({@link ApiKeySecret#hashOf}); {@link #prefix}
 * is the secret's first 8 characters after {@code atl_}, shown in lists so that a user can tell
 * which key is which without the secret.
 *
 * @param id {@code key_...}
 * @param name unique among active keys (a revoked key's name may be reused)
 * @param owner what the rows this key makes record as their owner; several keys may share one
 * @param prefix the first 8 characters after {@code atl_}
 * @param hash the lowercase hex SHA-256 of the secret
 * @param scopes a non-empty subset of {@link #SCOPES}
 * @param requestsPerMinute the rate limit, 0 for none
 * @param imagesPerDay the daily image quota, 0 for none
 * @param concurrentGenerations image-producing requests at once, 0 for no limit
 * @param createdAt when it was created
 * @param lastUsedAt when a request last used it (updated at most once a minute), if ever
 * @param revokedAt when it was revoked, if it was
 */
public record ApiKey(
    String id,
    String name,
    String owner,
    String prefix,
    String hash,
    Set<String> scopes,
    int requestsPerMinute,
    int imagesPerDay,
    int concurrentGenerations,
    Instant createdAt,
    Optional<Instant> lastUsedAt,
    Optional<Instant> revokedAt) {

  /** Every scope: {@code images} (images and edits), {@code sessions}, {@code admin} (all). */
  public static final Set<String> SCOPES = Set.of("images", "sessions", "admin");

  /** The scopes a key gets when none are named. */
  public static final Set<String> DEFAULT_SCOPES = Set.of("images", "sessions");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException when a name or owner is not 1-64 letters, digits or {@code .
   *     _ @ -} (starting with a letter or digit), a scope is unknown, a limit is negative or the
   *     hash is not 64 lowercase hex digits
   */
  public ApiKey {
    Objects.requireNonNull(id, "id");
    checkName("name", name);
    checkName("owner", owner);
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(hash, "hash");
    if (!HASH.matcher(hash).matches()) {
      throw new IllegalArgumentException(
          "hash must be 64 lowercase hex digits but had " + hash.length() + " characters");
    }
    scopes = checkScopes(scopes);
    checkLimit("requestsPerMinute", requestsPerMinute);
    checkLimit("imagesPerDay", imagesPerDay);
    checkLimit("concurrentGenerations", concurrentGenerations);
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastUsedAt, "lastUsedAt");
    Objects.requireNonNull(revokedAt, "revokedAt");
  }

  /** Whether the key has not been revoked. */
  public boolean active() {
    return revokedAt.isEmpty();
  }

  /**
   * A new key with a fresh secret, owned by {@code owner}; the secret is returned once, here.
   *
   * @param owner the owner, or {@code ""} for the key's name
   * @throws IllegalArgumentException as the constructor does
   */
  public static Issued issue(
      String name,
      String owner,
      Set<String> scopes,
      int requestsPerMinute,
      int imagesPerDay,
      int concurrentGenerations,
      Instant now) {
    ApiKeySecret secret = ApiKeySecret.generate();
    ApiKey key =
        new ApiKey(
            dev.atelier.core.session.Ids.newId("key"),
            name,
            owner.isEmpty() ? name : owner,
            secret.prefix(),
            secret.hash(),
            scopes,
            requestsPerMinute,
            imagesPerDay,
            concurrentGenerations,
            now,
            Optional.empty(),
            Optional.empty());
    return new Issued(key, secret);
  }

  /**
   * A key just issued and its secret; {@link #toString} leaves the secret out.
   *
   * @param key what is stored
   * @param secret what the user is shown once
   */
  public record Issued(ApiKey key, ApiKeySecret secret) {
    /** Validates the values. */
    public Issued {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
      return "Issued[key=" + key + ", secret=" + secret + "]";
    }
  }

  /**
   * {@code scopes} validated, {@code admin} alone kept as given.
   *
   * @throws IllegalArgumentException when empty or naming a scope not in {@link #SCOPES}
   */
  public static Set<String> checkScopes(Set<String> scopes) {
    Objects.requireNonNull(scopes, "scopes");
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException(
          "scopes must name at least one of admin, images, sessions but was empty");
    }
    for (String s : scopes) {
      if (!SCOPES.contains(s)) {
        throw new IllegalArgumentException(
            "scopes must be among admin, images, sessions but included '" + s + "'");
      }
    }
    return Set.copyOf(scopes);
  }

  private static void checkName(String what, String value) {
    Objects.requireNonNull(value, what);
    if (!NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what
              + " must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or"
              + " digit, but was '"
              + value
              + "'");
    }
  }

  private static void checkLimit(String what, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must be >= 0 (0 = none) but was " + value);
    }
  }
}
