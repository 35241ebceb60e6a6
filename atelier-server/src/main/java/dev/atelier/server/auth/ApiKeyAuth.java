package dev.atelier.server.auth;

import dev.atelier.server.AtelierServer;
import dev.atelier.server.http.ErrorMapper;
import dev.atelier.store.ApiKey;
import dev.atelier.store.ApiKeySecret;
import dev.atelier.store.MetadataStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks {@code Authorization: Bearer atl_...} on the API's routes whenever the store holds an
 * active key, and puts the key's {@link Caller} on the request.
 *
 * <p>Which keys are active is read from the store at most once a {@link #REFRESH}, so a key that
 * {@code atelier keys revoke} revoked stops working within two of them, and a server without keys
 * pays one small query a second. A key's last use is written at most once a {@link #TOUCH_EVERY}.
 * The presented secret is hashed and compared with {@link ApiKeySecret#sameHash} in constant time;
 * it is never logged, stored or echoed in a message.
 *
 * <p>{@code /v1/models} and everything outside {@code /v1/} (the studio's files, the probes {@code
 * /healthz} and {@code /readyz}) need no key, except {@code /metrics} and {@code /v1/workers},
 * which need scope {@code admin}. {@code /v1/images/...} and {@code /v1/edits/...} need scope
 * {@code images}, {@code /v1/sessions...} scope {@code sessions}; {@code admin} implies both.
 */
public final class ApiKeyAuth {
  /** How long a read of the active keys is trusted. */
  static final Duration REFRESH = Duration.ofSeconds(1);

  /** How often a key's {@code last_used_at} is written at most. */
  static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiKeyAuth.class);

  private final MetadataStore store;
  private final InstantSource clock;
  private final boolean keepOn;
  private final Map<String, Instant> touched = new ConcurrentHashMap<>();
  private volatile Snapshot snapshot;

  /** The active keys by prefix, as read at {@code readAt}. */
  private record Snapshot(Instant readAt, Map<String, List<ApiKey>> byPrefix) {
    boolean empty() {
      return byPrefix.isEmpty();
    }
  }

  /**
   * Creates the check.
   *
   * @param keepOn whether keys stay required when none is active (a server that listens beyond
   *     loopback and started with keys: revoking the last key must not open it to everyone)
   */
  ApiKeyAuth(MetadataStore store, InstantSource clock, boolean keepOn) {
    this.store = store;
    this.clock = clock;
    this.keepOn = keepOn;
  }

  /**
   * The check for a server bound to {@code host}: keys stay required after the last is revoked when
   * {@code host} is not a loopback address and a key was active at start.
   */
  public static ApiKeyAuth forHost(MetadataStore store, String host) {
    boolean keysAtStart = store.apiKeys().stream().anyMatch(ApiKey::active);
    return new ApiKeyAuth(
        store, InstantSource.system(), keysAtStart && !AtelierServer.isLoopback(host));
  }

  /** Registers the check as a before-handler (after the request id is set). */
  public void install(JavalinConfig c) {
    c.routes.before(this::check);
  }

  /** The scope {@code path} needs, {@code ""} for any valid key; empty when it needs no key. */
  static Optional<String> scopeFor(String path) {
    if (path.equals(dev.atelier.server.ops.Operations.METRICS) || path.equals("/v1/workers")) {
      // Ops: the metrics name routes, engines and error counts; /healthz and /readyz stay open
      // below (Kubernetes' probes carry no key).
      return Optional.of("admin");
    }
    if (!path.startsWith("/v1/")) {
      return Optional.empty();
    }
    if (path.equals("/v1/models")) {
      // Exactly this path: a prefix match would open "/v1/models/%2e%2e/..." spellings.
      return Optional.empty();
    }
    if (path.startsWith("/v1/images/") || path.startsWith("/v1/edits/")) {
      return Optional.of("images");
    }
    if (path.equals("/v1/images") || path.equals("/v1/edits")) {
      return Optional.of("images");
    }
    if (path.equals("/v1/jobs") || path.startsWith("/v1/jobs/")) {
      // Any valid key: a job belongs to its owner, whatever scope made it.
      return Optional.of("");
    }
    if (path.equals("/v1/sessions") || path.startsWith("/v1/sessions/")) {
      return Optional.of("sessions");
    }
    return Optional.of("");
  }

  private void check(Context ctx) {
    if (dev.atelier.server.ops.Operations.isProbe(ctx.path())) {
      return; // /healthz, /readyz: no key and no read of the keys, so they answer with the store
      // down
    }
    Optional<String> scope = scopeFor(ctx.path());
    Snapshot keys = current();
    if (keys.empty() && !keepOn) {
      return; // no active key: single-user mode, every request is Caller.ANONYMOUS
    }
    String presented = bearer(ctx.header("Authorization"));
    if (presented.isEmpty()
        && (SignedUrls.presented(ctx) || ctx.method().name().equals("OPTIONS"))) {
      // A signed image URL carries its own proof (the route checks the signature), and a CORS
      // preflight carries no credentials by design (BrowserSafety answers it).
      return;
    }
    Optional<ApiKey> key = find(keys, presented);
    if (scope.isEmpty()) {
      // Open routes still learn who asks when a valid key comes along.
      key.ifPresent(k -> ctx.attribute(Caller.ATTRIBUTE, caller(k)));
      return;
    }
    if (presented.isEmpty()) {
      throw ErrorMapper.AuthRefused.missingKey();
    }
    if (key.isEmpty()) {
      throw ErrorMapper.AuthRefused.invalidKey();
    }
    ApiKey k = key.get();
    String needed = scope.get();
    if (!needed.isEmpty() && !k.scopes().contains(needed) && !k.scopes().contains("admin")) {
      throw ErrorMapper.AuthRefused.insufficientScope(needed, ctx.path());
    }
    ctx.attribute(Caller.ATTRIBUTE, caller(k));
    touch(k);
  }

  private static Caller caller(ApiKey k) {
    return new Caller(
        k.id(),
        k.owner(),
        k.scopes(),
        k.requestsPerMinute(),
        k.imagesPerDay(),
        k.concurrentGenerations());
  }

  /** The token of an {@code Authorization: Bearer TOKEN} header, {@code ""} when there is none. */
  static String bearer(String header) {
    if (header == null) {
      return "";
    }
    String h = header.strip();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return "";
    }
    return h.substring(7).strip();
  }

  private static Optional<ApiKey> find(Snapshot keys, String presented) {
    String prefix = ApiKeySecret.prefixOf(presented);
    if (prefix.isEmpty()) {
      return Optional.empty();
    }
    String hash = ApiKeySecret.hashOf(presented);
    for (ApiKey k : keys.byPrefix().getOrDefault(prefix, List.of())) {
      if (ApiKeySecret.sameHash(hash, k.hash())) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The active keys, read again when the last read is older than {@link #REFRESH}. */
  private Snapshot current() {
    Instant now = clock.instant();
    Snapshot s = snapshot;
    if (s != null && now.isBefore(s.readAt().plus(REFRESH))) {
      return s;
    }
    synchronized (this) {
      s = snapshot;
      if (s != null && now.isBefore(s.readAt().plus(REFRESH))) {
        return s;
      }
      Map<String, List<ApiKey>> byPrefix = new HashMap<>();
      for (ApiKey k : store.apiKeys()) {
        if (k.active()) {
          byPrefix.computeIfAbsent(k.prefix(), p -> new ArrayList<>()).add(k);
        }
      }
      s = new Snapshot(now, Map.copyOf(byPrefix));
      snapshot = s;
      return s;
    }
  }

  private void touch(ApiKey k) {
    Instant now = clock.instant();
    Instant last = touched.get(k.id());
    if (last != null && now.isBefore(last.plus(TOUCH_EVERY))) {
      return;
    }
    touched.put(k.id(), now);
    try {
      store.touchApiKey(k.id(), now);
    } catch (RuntimeException e) {
      // A missed last-use stamp must not fail the request it describes.
      LOG.warn("could not record the last use of key {}: {}", k.id(), e.getMessage());
    }
  }
}
