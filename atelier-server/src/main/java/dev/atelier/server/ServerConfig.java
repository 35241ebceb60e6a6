package dev.atelier.server;

import dev.atelier.server.auth.AccessSettings;
import dev.atelier.server.images.PriceTable;
import dev.atelier.server.jobs.JobRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How the server listens and what it announces.
 *
 * @param host address to bind, e.g. {@code 127.0.0.1}
 * @param port TCP port; 0 picks a free one (tests)
 * @param modelName the model id {@code /v1/models} lists and provenance records
 * @param defaultSide the side of {@code size: "auto"} images (the model's native size)
 * @param startedAt when the server started
 * @param allowRemoteImages whether http(s) image URLs in requests are fetched (public addresses
 *     only)
 * @param engineName the engine's name ({@code local}, {@code openai}), announced in provenance
 * @param prices what upstream tokens cost, for the spend reported on responses and sessions
 * @param demo whether the server runs the demo models (tiny random-weight test models whose images
 *     are noise); {@code /v1/models} says so and the studio shows a notice
 * @param limits the bounds every request is held to (see {@link RequestLimits})
 * @param idleTimeout how long a connection may send nothing while the server waits for it (a
 *     request's headers or body); a body that stalls longer is refused with a 408
 * @param access the image URLs' signing secret and lifetime, the CORS allow-list and the clock that
 *     rate limits and URL expiry read (see {@link AccessSettings})
 * @param jobs how image jobs are scheduled: workers, queue size, leases (see {@link
 *     JobRunner.Settings})
 * @param blobPolicy the start-up sweep's grace and whether image bytes are answered with presigned
 *     redirects (see {@link BlobPolicy})
 * @param role what this process does: API and workers, the API only, or workers only
 */
public record ServerConfig(
    String host,
    int port,
    String modelName,
    int defaultSide,
    Instant startedAt,
    boolean allowRemoteImages,
    String engineName,
    PriceTable prices,
    boolean demo,
    RequestLimits limits,
    Duration idleTimeout,
    AccessSettings access,
    JobRunner.Settings jobs,
    BlobPolicy blobPolicy,
    Role role) {

  /** Jetty's default: how long a silent connection is kept. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A local-engine server on a real model with the default request limits and idle timeout; {@link
   * #withEngine}, {@link #withDemo}, {@link #withLimits} and {@link #withIdleTimeout} change the
   * rest.
   */
  public ServerConfig(
      String host,
      int port,
      String modelName,
      int defaultSide,
      Instant startedAt,
      boolean allowRemoteImages) {
    this(
        host,
        port,
        modelName,
        defaultSide,
        startedAt,
        allowRemoteImages,
        "local",
        PriceTable.empty(),
        false,
        RequestLimits.DEFAULT,
        DEFAULT_IDLE_TIMEOUT,
        AccessSettings.ephemeral(),
        JobRunner.Settings.DEFAULT,
        BlobPolicy.DEFAULT,
        Role.ALL);
  }

  /** These settings with another engine and what its tokens cost. */
  public ServerConfig withEngine(String newEngineName, PriceTable newPrices) {
    return copy(
        c -> {
          c.engineName = newEngineName;
          c.prices = newPrices;
        });
  }

  /** These settings for the demo models ({@code true}) or a real model. */
  public ServerConfig withDemo(boolean newDemo) {
    return copy(c -> c.demo = newDemo);
  }

  /** These settings with other request limits. */
  public ServerConfig withLimits(RequestLimits newLimits) {
    return copy(c -> c.limits = newLimits);
  }

  /** These settings with another idle timeout. */
  public ServerConfig withIdleTimeout(Duration newIdleTimeout) {
    return copy(c -> c.idleTimeout = newIdleTimeout);
  }

  /** These settings with another URL secret, URL lifetime, CORS allow-list or clock. */
  public ServerConfig withAccess(AccessSettings newAccess) {
    return copy(c -> c.access = newAccess);
  }

  /** These settings with other job scheduling. */
  public ServerConfig withJobs(JobRunner.Settings newJobs) {
    return copy(c -> c.jobs = newJobs);
  }

  /** These settings with another blob sweep grace or presigning choice. */
  public ServerConfig withBlobPolicy(BlobPolicy newBlobPolicy) {
    return copy(c -> c.blobPolicy = newBlobPolicy);
  }

  /** These settings for a process of {@code newRole}. */
  public ServerConfig withRole(Role newRole) {
    return copy(c -> c.role = newRole);
  }

  /** The components the withers may change, copied from a config and built back into one. */
  private static final class Copy {
    String engineName;
    PriceTable prices;
    boolean demo;
    RequestLimits limits;
    Duration idleTimeout;
    AccessSettings access;
    JobRunner.Settings jobs;
    BlobPolicy blobPolicy;
    Role role;
  }

  /** This config with what {@code change} sets; the constructor validates the result. */
  private ServerConfig copy(java.util.function.Consumer<Copy> change) {
    Copy c = new Copy();
    c.engineName = engineName;
    c.prices = prices;
    c.demo = demo;
    c.limits = limits;
    c.idleTimeout = idleTimeout;
    c.access = access;
    c.jobs = jobs;
    c.blobPolicy = blobPolicy;
    c.role = role;
    change.accept(c);
    return new ServerConfig(
        host,
        port,
        modelName,
        defaultSide,
        startedAt,
        allowRemoteImages,
        c.engineName,
        c.prices,
        c.demo,
        c.limits,
        c.idleTimeout,
        c.access,
        c.jobs,
        c.blobPolicy,
        c.role);
  }

  /** Validates the values. */
  public ServerConfig {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(jobs, "jobs");
    Objects.requireNonNull(blobPolicy, "blobPolicy");
    Objects.requireNonNull(engineName, "engineName");
    Objects.requireNonNull(prices, "prices");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(access, "access");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive but was " + idleTimeout);
    }
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(startedAt, "startedAt");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535 but was " + port);
    }
    if (defaultSide < 8 || defaultSide % 8 != 0) {
      throw new IllegalArgumentException(
          "defaultSide must be a positive multiple of 8 but was " + defaultSide);
    }
  }
}
