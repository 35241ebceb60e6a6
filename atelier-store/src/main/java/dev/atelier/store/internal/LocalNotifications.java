package dev.atelier.store.internal;

import dev.atelier.store.Notifications;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Notifications} inside this JVM (SQLite: one process), delivered in order on one daemon
 * thread, as PostgreSQL delivers to a listening connection.
 */
public final class LocalNotifications implements Notifications {
  private static final Logger LOG = LoggerFactory.getLogger(LocalNotifications.class);

  private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private final ExecutorService delivery =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "atelier-notifications");
            t.setDaemon(true);
            return t;
          });

  @Override
  public void publish(String channel, String payload) {
    Notifications.check(channel, payload);
    List<Consumer<String>> to = listeners.get(channel);
    if (to == null || to.isEmpty() || delivery.isShutdown()) {
      return;
    }
    try {
      delivery.execute(() -> deliver(to, payload));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // Closed meanwhile: nobody listens any more.
    }
  }

  static void deliver(List<Consumer<String>> to, String payload) {
    for (Consumer<String> c : to) {
      try {
        c.accept(payload);
      } catch (RuntimeException e) {
        LOG.warn("a notification listener failed: {}", e.toString());
      }
    }
  }

  @Override
  public AutoCloseable listen(String channel, Consumer<String> onPayload) {
    Notifications.check(channel, "");
    listeners.computeIfAbsent(channel, k -> new CopyOnWriteArrayList<>()).add(onPayload);
    return () -> listeners.getOrDefault(channel, List.of()).remove(onPayload);
  }

  @Override
  public boolean crossProcess() {
    return false;
  }

  @Override
  public void close() {
    delivery.shutdownNow();
  }
}
