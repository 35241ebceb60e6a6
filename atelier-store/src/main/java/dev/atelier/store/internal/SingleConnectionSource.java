package dev.atelier.store.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection shared by all threads, one transaction at a time.
 *
 * <p>SQLite allows a single writer anyway, so more connections would only add lock contention
 * ({@code SQLITE_BUSY}) without adding throughput. The connection is reopened after a failure that
 * may have broken it.
 */
public final class SingleConnectionSource implements ConnectionSource {
  private final String url;
  private final Dialect dialect;
  // Fair, so that a steady stream of callers cannot starve one of them.
  private final ReentrantLock lock = new ReentrantLock(true);
  private Connection connection;
  private boolean closed;

  /** Opens the connection now, so that a bad path fails at startup, not on the first request. */
  public SingleConnectionSource(String url, Dialect dialect) throws SQLException {
    this.url = url;
    this.dialect = dialect;
    this.connection = open();
  }

  private Connection open() throws SQLException {
    Connection c = DriverManager.getConnection(url, dialect.connectionProperties());
    try {
      dialect.configure(c);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  @Override
  public Connection borrow() throws SQLException {
    lock.lock();
    try {
      if (closed) {
        throw new SQLException("the store is closed; expected an open store for " + url);
      }
      if (connection == null || connection.isClosed()) {
        connection = open();
      }
      return connection;
    } catch (SQLException | RuntimeException e) {
      lock.unlock();
      throw e;
    }
  }

  @Override
  public void giveBack(Connection c, boolean healthy) {
    try {
      if (!healthy) {
        closeQuietly(c);
        connection = null;
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      if (connection != null) {
        closeQuietly(connection);
        connection = null;
      }
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing is best effort: the connection is being discarded either way.
    }
  }
}
