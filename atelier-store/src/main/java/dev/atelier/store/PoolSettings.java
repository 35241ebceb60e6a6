package dev.atelier.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How many PostgreSQL connections one process keeps and how long it waits for one (HikariCP).
 *
 * <p>SQLite ignores these: it keeps one connection by design (one writer per file).
 *
 * @param size the most connections open at once (borrowers beyond it wait)
 * @param connectionTimeout how long a borrower waits for a connection before its request fails;
 *     also the TCP connect timeout
 * @param idleTimeout how long a connection beyond the two kept warm may sit unused before it closes
 * @param maxLifetime when a connection is replaced, however busy (below the server's or a proxy's
 *     own limits, so that the pool, not the network, retires connections)
 */
public record PoolSettings(
    int size, Duration connectionTimeout, Duration idleTimeout, Duration maxLifetime) {

  /** 10 connections, 5 s to get one, 10 min idle, 30 min lifetime. */
  public static final PoolSettings DEFAULTS =
      new PoolSettings(10, Duration.ofSeconds(5), Duration.ofMinutes(10), Duration.ofMinutes(30));

  /** Checks the ranges HikariCP accepts. */
  public PoolSettings {
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(maxLifetime, "maxLifetime");
    if (size < 1 || size > 1000) {
      throw new IllegalArgumentException("pool size must be 1..1000 but was " + size);
    }
    if (connectionTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new IllegalArgumentException(
          "connection timeout must be at least 250ms but was " + connectionTimeout);
    }
    if (idleTimeout.compareTo(Duration.ofSeconds(10)) < 0) {
      throw new IllegalArgumentException(
          "idle timeout must be at least 10s but was " + idleTimeout);
    }
    if (maxLifetime.compareTo(Duration.ofSeconds(30)) < 0) {
      throw new IllegalArgumentException(
          "max lifetime must be at least 30s but was " + maxLifetime);
    }
  }

  /** These settings with {@code size} connections. */
  public PoolSettings withSize(int size) {
    return new PoolSettings(size, connectionTimeout, idleTimeout, maxLifetime);
  }

  /** These settings with another connection timeout. */
  public PoolSettings withConnectionTimeout(Duration connectionTimeout) {
    return new PoolSettings(size, connectionTimeout, idleTimeout, maxLifetime);
  }
}
