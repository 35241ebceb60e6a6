package dev.atelier.store.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.atelier.store.PoolSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * PostgreSQL connections from a HikariCP pool: bounded in number, waited for at most the connection
 * timeout, checked before reuse, and replaced when broken or old.
 *
 * <p>A server restart breaks every pooled connection; the transaction that meets a broken one
 * fails, the connection is evicted, and the next borrow opens a fresh one, so a restart costs
 * failed requests, not a stuck process. A query that gets no answer at all (a server gone without
 * closing its sockets) fails after the socket timeout instead of hanging its thread.
 */
public final class HikariConnectionSource implements ConnectionSource {
  /** How long one statement may wait for the server's answer, unless the URL says otherwise. */
  static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

  private final HikariDataSource pool;

  /**
   * Starts the pool and opens its first connection now, so that a bad URL or password fails at
   * startup.
   *
   * @param url a {@code jdbc:postgresql:} URL without credentials
   * @throws SQLException when the first connection cannot be opened
   */
  public HikariConnectionSource(String url, String user, String password, PoolSettings settings)
      throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setPoolName("atelier-db");
    config.setJdbcUrl(url);
    if (!user.isEmpty()) {
      config.setUsername(user);
    }
    if (!password.isEmpty()) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(settings.size());
    // Two warm connections; the rest open on demand and close after the idle timeout.
    config.setMinimumIdle(Math.min(2, settings.size()));
    long timeout = settings.connectionTimeout().toMillis();
    config.setConnectionTimeout(timeout);
    config.setValidationTimeout(Math.max(250, Math.min(timeout / 2, 3000)));
    config.setIdleTimeout(settings.idleTimeout().toMillis());
    config.setMaxLifetime(settings.maxLifetime().toMillis());
    // Pings idle connections so that a firewall or proxy does not drop them silently.
    config.setKeepaliveTime(
        Math.min(Duration.ofMinutes(2).toMillis(), settings.maxLifetime().toMillis() / 2));
    // Defaults for pgjdbc; the same parameters in the URL win.
    config.addDataSourceProperty(
        "connectTimeout", String.valueOf(Math.max(1, settings.connectionTimeout().toSeconds())));
    config.addDataSourceProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT.toSeconds()));
    config.addDataSourceProperty("tcpKeepAlive", "true");
    try {
      this.pool = new HikariDataSource(config);
    } catch (HikariPool.PoolInitializationException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new SQLException(e.getMessage(), e);
    }
  }

  @Override
  public Connection borrow() throws SQLException {
    return pool.getConnection();
  }

  @Override
  public void giveBack(Connection connection, boolean healthy) {
    if (!healthy) {
      pool.evictConnection(connection);
      return;
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Returning to the pool failed: the pool has dropped the connection itself.
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
