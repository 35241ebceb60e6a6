package dev.atelier.store.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Opens connections from {@link DriverManager} on demand and keeps a few idle ones for reuse.
 *
 * <p>Used for PostgreSQL, where concurrent transactions are real and each needs its own connection.
 * There is no upper bound on connections in use (the server bounds its own concurrency); only the
 * idle set is capped, so a burst does not leave many connections open.
 */
public final class PooledConnectionSource implements ConnectionSource {
  private static final int MAX_IDLE = 4;

  private final String url;
  private final Dialect dialect;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  /** Opens and checks one connection now, so that a bad URL fails at startup. */
  public PooledConnectionSource(String url, Dialect dialect) throws SQLException {
    this.url = url;
    this.dialect = dialect;
    giveBack(open(), true);
  }

  private Connection open() throws SQLException {
    Connection c = DriverManager.getConnection(url);
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
    synchronized (this) {
      if (closed) {
        throw new SQLException("the store is closed; expected an open store");
      }
      Connection c = idle.pollFirst();
      if (c != null) {
        return c;
      }
    }
    return open();
  }

  @Override
  public void giveBack(Connection c, boolean healthy) {
    synchronized (this) {
      if (healthy && !closed && idle.size() < MAX_IDLE) {
        idle.addFirst(c);
        return;
      }
    }
    closeQuietly(c);
  }

  @Override
  public void close() {
    Deque<Connection> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayDeque<>(idle);
      idle.clear();
    }
    toClose.forEach(PooledConnectionSource::closeQuietly);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing is best effort: the connection is being discarded either way.
    }
  }
}
