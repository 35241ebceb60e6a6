package dev.atelier.store.internal;

import dev.atelier.core.AtelierException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs work in one transaction: commit when it returns, roll back when anything throws.
 *
 * <p>Every failure that is not already an {@link AtelierException} becomes a {@link
 * AtelierException.StorageFailure} that names the operation and the database; a runtime exception
 * here means a corrupt row, since callers validate their arguments before the transaction.
 */
public final class Transactor {
  private final ConnectionSource source;
  private final String database;

  /**
   * Creates a transactor.
   *
   * @param source where connections come from
   * @param database how to name the database in error messages (kind and location)
   */
  public Transactor(ConnectionSource source, String database) {
    this.source = source;
    this.database = database;
  }

  /**
   * Runs {@code work} in a transaction.
   *
   * @param operation what is being done, for error messages ("addRound rnd_1")
   * @throws AtelierException.StorageFailure when the database fails; nothing was committed
   */
  public <T> T inTransaction(String operation, SqlWork<T> work) {
    Connection c = borrow(operation);
    boolean healthy = true;
    try {
      c.setAutoCommit(false);
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      healthy = rollback(c, e);
      if (e instanceof AtelierException atelier) {
        throw atelier;
      }
      throw failure(operation, e);
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (SQLException e) {
        healthy = false;
      }
      source.giveBack(c, healthy);
    }
  }

  private Connection borrow(String operation) {
    try {
      return source.borrow();
    } catch (SQLException e) {
      throw failure(operation, e);
    }
  }

  /**
   * Runs {@code work}, one statement, in auto-commit mode: one round trip to the database instead
   * of the statement and a COMMIT, for the calls on every request's path (rate counters).
   *
   * @param operation what is being done, for error messages
   * @throws AtelierException.StorageFailure when the database fails
   */
  public <T> T oneStatement(String operation, SqlWork<T> work) {
    Connection c = borrow(operation);
    boolean healthy = true;
    try {
      return work.run(c);
    } catch (SQLException | RuntimeException e) {
      healthy = !(e instanceof SQLException);
      if (e instanceof AtelierException atelier) {
        throw atelier;
      }
      throw failure(operation, e);
    } finally {
      source.giveBack(c, healthy);
    }
  }

  /** Rolls back; returns whether the connection still looks usable. */
  private static boolean rollback(Connection c, Exception cause) {
    try {
      c.rollback();
      return true;
    } catch (SQLException e) {
      cause.addSuppressed(e);
      return false;
    }
  }

  private AtelierException.StorageFailure failure(String operation, Exception e) {
    return new AtelierException.StorageFailure(
        operation + " failed on " + database + ": " + e.getMessage(), e);
  }
}
