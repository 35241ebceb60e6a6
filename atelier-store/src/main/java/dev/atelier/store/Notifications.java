package dev.atelier.store;

import java.util.function.Consumer;

/**
 * Short messages between the processes that share a store: PostgreSQL's {@code LISTEN/NOTIFY}, or a
 * bus inside this JVM for SQLite (one process).
 *
 * <p>Delivery is best effort: a message sent while a listener was reconnecting is lost, so every
 * user keeps a slower poll of the rows as well. A payload is at most {@link #MAX_PAYLOAD} bytes of
 * UTF-8 (PostgreSQL's limit is 8000); callers send ids and small JSON, and readers fetch the rest
 * from the rows.
 */
public interface Notifications extends AutoCloseable {
  /** The largest payload {@link #publish} accepts, in UTF-8 bytes. */
  int MAX_PAYLOAD = 7900;

  /**
   * Sends {@code payload} to every listener of {@code channel} in every process (this one
   * included), after the sender's current transaction; never throws for a failed send (it is
   * logged), since a lost message only delays its readers.
   *
   * @throws IllegalArgumentException when the payload is over {@link #MAX_PAYLOAD} bytes or the
   *     channel is not a lower-case identifier
   */
  void publish(String channel, String payload);

  /**
   * Calls {@code onPayload} (on one thread of the notifier's, in order) for each message on {@code
   * channel} from now on, until the returned handle is closed.
   */
  AutoCloseable listen(String channel, Consumer<String> onPayload);

  /**
   * Calls {@code catchUp} (on the notifier's thread) each time listening resumed after a gap: the
   * listening connection broke and a new one listens again, so messages sent in between were lost
   * and a user re-reads the rows they would have announced. Never called in one process.
   */
  default AutoCloseable onReconnect(Runnable catchUp) {
    return () -> {};
  }

  /** Whether messages reach other processes (PostgreSQL), not only this JVM (SQLite). */
  boolean crossProcess();

  /** Stops listening and closes the listening connection; idempotent. */
  @Override
  void close();

  /** Checks {@code channel} and {@code payload} as {@link #publish} requires. */
  static void check(String channel, String payload) {
    if (!channel.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "a channel must be a lower-case identifier but was '" + channel + "'");
    }
    int bytes = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "a notification payload must be at most " + MAX_PAYLOAD + " bytes but was " + bytes);
    }
  }
}
