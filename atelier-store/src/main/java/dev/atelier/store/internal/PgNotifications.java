package dev.atelier.store.internal;

import dev.atelier.store.Notifications;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Notifications} over PostgreSQL's {@code LISTEN/NOTIFY}.
 *
 * <p>Sending is {@code SELECT pg_notify(channel, payload)} on a pooled connection. Listening holds
 * one connection of its own, opened outside the pool (a pooled connection is recycled and would
 * drop its {@code LISTEN}s), on a thread that waits for messages and hands them to the listeners in
 * order. When that connection breaks (a server restart), the thread opens a new one after a second
 * and listens again; messages sent in between are lost, which the users' polls cover.
 *
 * <p>Channels are per database, not per schema, so each channel name carries the store's schema
 * ({@code atelier_jobs:public}): two deployments in two schemas of one database never hear each
 * other.
 */
public final class PgNotifications implements Notifications {
  private static final Logger LOG = LoggerFactory.getLogger(PgNotifications.class);

  /** How long one wait for a message lasts before the thread looks at its own state again. */
  private static final int WAIT_MILLIS = 500;

  private final DriverDataSource direct;
  private final BiConsumer<String, String> send;
  private final String schema;
  private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private Thread thread;
  private volatile boolean dirty;
  private volatile boolean closed;

  /**
   * Creates one.
   *
   * @param direct opens the listening connection (outside the pool)
   * @param send runs {@code pg_notify(channel, payload)} on a pooled connection
   * @param schema the store's current schema, which channel names carry
   */
  public PgNotifications(DriverDataSource direct, BiConsumer<String, String> send, String schema) {
    this.direct = direct;
    this.send = send;
    this.schema = schema;
  }

  /** The channel as the server names it: {@code channel:schema}, at most 63 bytes. */
  String qualified(String channel) {
    String name = channel + ":" + schema;
    if (name.getBytes(StandardCharsets.UTF_8).length <= 63) {
      return name;
    }
    String hash = Integer.toHexString(schema.hashCode());
    return channel + ":" + hash;
  }

  @Override
  public void publish(String channel, String payload) {
    Notifications.check(channel, payload);
    try {
      send.accept(qualified(channel), payload);
    } catch (RuntimeException e) {
      LOG.warn("could not send a notification on {}: {}", channel, e.getMessage());
    }
  }

  @Override
  public AutoCloseable listen(String channel, Consumer<String> onPayload) {
    Notifications.check(channel, "");
    listeners.computeIfAbsent(qualified(channel), k -> new CopyOnWriteArrayList<>()).add(onPayload);
    dirty = true;
    synchronized (lock) {
      if (thread == null && !closed) {
        thread = new Thread(this::loop, "atelier-listen");
        thread.setDaemon(true);
        thread.start();
      }
    }
    return () -> listeners.getOrDefault(qualified(channel), List.of()).remove(onPayload);
  }

  @Override
  public boolean crossProcess() {
    return true;
  }

  private void loop() {
    Connection c = null;
    boolean warned = false;
    while (!closed) {
      try {
        if (c == null) {
          c = direct.getConnection();
          c.setAutoCommit(true);
          dirty = true;
          if (warned) {
            LOG.info("listening for notifications again");
            warned = false;
          }
        }
        if (dirty) {
          dirty = false;
          try (Statement s = c.createStatement()) {
            for (String channel : listeners.keySet()) {
              s.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
            }
          }
        }
        PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(WAIT_MILLIS);
        if (got != null) {
          for (PGNotification n : got) {
            List<Consumer<String>> to = listeners.get(n.getName());
            if (to != null) {
              LocalNotifications.deliver(to, n.getParameter());
            }
          }
        }
      } catch (SQLException e) {
        if (!warned && !closed) {
          LOG.warn(
              "the notification listener lost its connection ({}); polling until it is back",
              e.getMessage());
          warned = true;
        }
        closeQuietly(c);
        c = null;
        pause();
      }
    }
    closeQuietly(c);
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  private static void closeQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // Already broken.
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
    }
    if (t != null) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
