package dev.atelier.store.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Lets one process at a time migrate a database, so that nodes starting at the same moment against
 * one empty database migrate it exactly once.
 *
 * <p>Flyway locks its own migrate step on PostgreSQL, but not the steps before it (taking over a
 * database of the home-made migrator, the newer-schema check, a baseline), and on SQLite it locks
 * nothing at all. This lock covers the whole sequence: on PostgreSQL a session-level advisory lock,
 * released when its connection closes, so a process killed mid-migration cannot leave it held; on
 * SQLite an OS file lock on {@code <db>.migrate-lock} (released by the OS when the process dies)
 * plus a lock per file in this JVM, because the OS lock belongs to the whole process.
 */
public final class MigrationLock {
  // The home-made migrator took the same key as a transaction lock, so an older Atelier starting
  // at the same moment waits as well.
  private static final long ADVISORY_KEY = 0x41_74_65_6c_69_65_72L;
  private static final Map<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  /** A held lock; closing releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close() throws SQLException, IOException;
  }

  @FunctionalInterface
  private interface Acquirer {
    Held acquire() throws SQLException, IOException;
  }

  private final Acquirer acquirer;

  private MigrationLock(Acquirer acquirer) {
    this.acquirer = acquirer;
  }

  /** Blocks until this thread holds the lock. */
  public Held acquire() throws SQLException, IOException {
    return acquirer.acquire();
  }

  /** A PostgreSQL session advisory lock, held on a connection of its own. */
  public static MigrationLock postgresql(DataSource dataSource) {
    return new MigrationLock(
        () -> {
          Connection c = dataSource.getConnection();
          try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + ADVISORY_KEY + ")");
          } catch (SQLException e) {
            c.close();
            throw e;
          }
          return c::close; // ends the session, which releases the lock
        });
  }

  /** An OS file lock beside the SQLite file {@code database}. */
  public static MigrationLock sqlite(Path database) {
    Path lockFile = database.resolveSibling(database.getFileName() + ".migrate-lock");
    return new MigrationLock(
        () -> {
          ReentrantLock inJvm = IN_JVM.computeIfAbsent(lockFile, p -> new ReentrantLock());
          inJvm.lock();
          try {
            OwnerOnly.createFileIfAbsent(lockFile);
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
            FileLock os;
            try {
              os = channel.lock();
            } catch (IOException | RuntimeException e) {
              channel.close();
              throw e;
            }
            return () -> {
              try (channel) {
                os.release();
              } finally {
                inJvm.unlock();
              }
            };
          } catch (IOException | RuntimeException e) {
            inJvm.unlock();
            throw e;
          }
        });
  }
}
