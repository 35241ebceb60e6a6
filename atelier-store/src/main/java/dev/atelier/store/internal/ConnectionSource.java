package dev.atelier.store.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Lends JDBC connections to one transaction at a time each.
 *
 * <p>A borrowed connection belongs to the caller until {@link #giveBack}; the caller must give it
 * back exactly once, saying whether it is still fit for reuse.
 */
public interface ConnectionSource extends AutoCloseable {

  /** A connection in auto-commit mode, configured for its dialect. */
  Connection borrow() throws SQLException;

  /**
   * Returns a borrowed connection.
   *
   * @param healthy false when the connection failed in a way that may leave it unusable (it is then
   *     closed instead of reused)
   */
  void giveBack(Connection connection, boolean healthy);

  /** Closes every connection; borrowing afterwards fails. */
  @Override
  void close();
}
