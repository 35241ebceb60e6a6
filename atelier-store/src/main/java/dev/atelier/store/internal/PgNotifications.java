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
 * and listens again; messages sent in between are lost, which the users' polls cover, and the
 * users' {@link #onReconnect} hooks re-read what they follow at once.
 *
 * <p>A connection can also die without a word (a firewall drops the idle TCP flow, the server's
 * host vanishes): the wait for messages would then go on forever, hearing nothing. So every {@value
 * #KEEPALIVE_MILLIS} ms without a message the thread checks the connection with a round trip that
 * may take at most {@value #CHECK_SECONDS} s ({@link Connection#isValid}), and reconnects when it
 * fails. The connection is named {@code atelier-listen <schema>} ({@code application_name}), so an
 * operator finds it in {@code pg_stat_activity}.
 *
 * <p>Channels are per database, not per schema, so each channel name carries the store's schema
 * ({@code atelier_jobs:public}): two deployments in two schemas of one database never hear each
 * other.
 */
public final class PgNotifications implements Notifications {
  private static final Logger LOG = LoggerFactory.getLogger(PgNotifications.class);

  /** How long one wait for a message lasts before the thread looks at its own state again. */
  private static final int WAIT_MILLIS = 500;

  /** How long the connection may stay quiet before a round trip checks it. */
  static final long KEEPALIVE_MILLIS = 5_000;

  /** How long that check may take before the connection counts as dead. */
  static final int CHECK_SECONDS = 5;

  private final DriverDataSource direct;
  private final BiConsumer<String, String> send;
  private final String schema;
  private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private final List<Runnable> reconnected = new CopyOnWriteArrayList<>();
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
  public AutoCloseable onReconnect(Runnable catchUp) {
    reconnected.add(catchUp);
    return () -> reconnected.remove(catchUp);
  }

  /** The {@code application_name} of the listening connection. */
  String applicationName() {
    String name = "atelier-listen " + schema;
    return name.length() <= 63 ? name : name.substring(0, 63);
  }

  @Override
  public boolean crossProcess() {
    return true;
  }

  private void loop() {
    Connection c = null;
    boolean warned = false;
    boolean lost = false;
    long quietSince = System.nanoTime();
    while (!closed) {
      try {
        if (c == null) {
          c = direct.getConnection();
          c.setAutoCommit(true);
          try (Statement s = c.createStatement()) {
            s.execute("SET application_name = '" + applicationName().replace("'", "''") + "'");
          }
          dirty = true;
          quietSince = System.nanoTime();
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
        if (lost) {
          // Listening again: what was sent during the gap is gone, so the users re-read rows.
          lost = false;
          for (Runnable r : reconnected) {
            try {
              r.run();
            } catch (RuntimeException e) {
              LOG.warn("a catch-up after reconnecting failed: {}", e.toString());
            }
          }
        }
        PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(WAIT_MILLIS);
        if (got != null && got.length > 0) {
          quietSince = System.nanoTime();
          for (PGNotification n : got) {
            List<Consumer<String>> to = listeners.get(n.getName());
            if (to != null) {
              LocalNotifications.deliver(to, n.getParameter());
            }
          }
        } else if (System.nanoTime() - quietSince > KEEPALIVE_MILLIS * 1_000_000) {
          if (!c.isValid(CHECK_SECONDS)) {
            throw new SQLException("the listening connection did not answer a check");
          }
          quietSince = System.nanoTime();
        }
      } catch (SQLException e) {
        if (!warned && !closed) {
          LOG.warn(
              "the notification listener lost its connection ({}); polling until it is back",
              e.getMessage());
          warned = true;
        }
        lost = true;
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
