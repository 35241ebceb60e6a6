package dev.atelier.store.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on a connection inside one transaction.
 *
 * @param <T> what the work returns
 */
@FunctionalInterface
public interface SqlWork<T> {

  /** Runs the work; the caller commits afterwards or rolls back if this throws. */
  T run(Connection connection) throws SQLException;
}
