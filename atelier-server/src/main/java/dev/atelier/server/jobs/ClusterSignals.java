package dev.atelier.server.jobs;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.store.Notifications;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the job runners of several processes tell each other through the store's {@link
 * Notifications} (PostgreSQL's {@code LISTEN/NOTIFY}; docs/adr/0026-notify-payloads.md).
 *
 * <p>Channel {@value #JOBS}: {@code queued} (a job was queued or given back: idle workers claim at
 * once) and {@code cancel JOB_ID} (the worker running it stops at its next step). Channel {@value
 * #EVENTS}: one message per job event, {@code {"job", "worker", "id", "type"}} plus {@code data}
 * for progress (about 60 bytes); an end event carries no data, since its reader loads the job's row
 * anyway. Partial images are not sent (a preview is tens of kilobytes, over the 8000-byte limit).
 *
 * <p>On SQLite (one process) this sends nothing: the runner's in-process paths do the same job.
 * Events are sent from a queue on a thread of their own, so a denoising step never waits on the
 * database; when the queue is full (the database is slow), progress is dropped, never the order.
 */
final class ClusterSignals implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSignals.class);

  /** Wake-ups and cancels. */
  static final String JOBS = "atelier_jobs";

  /** Job events for the API nodes that hold their streams. */
  static final String EVENTS = "atelier_job_events";

  /** One job event as a message carries it. */
  record Event(String job, String worker, long id, String type, JsonValue.Obj data) {}

  private final Notifications notes;
  private final boolean on;
  private final BlockingQueue<String[]> outbox = new ArrayBlockingQueue<>(4096);
  private final Thread sender;
  private volatile boolean closed;

  ClusterSignals(Notifications notes) {
    this.notes = notes;
    this.on = notes.crossProcess();
    this.sender = new Thread(this::send, "atelier-job-signals");
    this.sender.setDaemon(true);
    if (on) {
      sender.start();
    }
  }

  /** Whether messages reach other processes (PostgreSQL); nothing is sent otherwise. */
  boolean crossProcess() {
    return on;
  }

  /** A job was queued (or queued again): idle workers everywhere claim now. */
  void queued() {
    post(JOBS, "queued");
  }

  /** Job {@code id} was asked to stop: its worker, wherever it runs, stops at its next step. */
  void cancel(String id) {
    post(JOBS, "cancel " + id);
  }

  /** Job {@code job}'s event {@code id} of {@code type} ({@code data} only for progress). */
  void event(String job, String worker, long id, String type, JsonValue.Obj data) {
    if (!on) {
      return;
    }
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("job", new JsonValue.Str(job));
    m.put("worker", new JsonValue.Str(worker));
    m.put("id", new JsonValue.Num(id));
    m.put("type", new JsonValue.Str(type));
    if (type.equals("progress")) {
      m.put("data", data);
    }
    post(EVENTS, Json.write(new JsonValue.Obj(m)));
  }

  /**
   * Listens: {@code onQueued} for wake-ups, {@code onCancel} with a job id, and {@code onEvent}
   * (when not null) for job events.
   */
  void listen(Runnable onQueued, Consumer<String> onCancel, Consumer<Event> onEvent) {
    if (!on) {
      return;
    }
    notes.listen(
        JOBS,
        payload -> {
          if (payload.equals("queued")) {
            onQueued.run();
          } else if (payload.startsWith("cancel ")) {
            onCancel.accept(payload.substring("cancel ".length()));
          }
        });
    if (onEvent != null) {
      notes.listen(EVENTS, payload -> parse(payload, onEvent));
    }
  }

  private static void parse(String payload, Consumer<Event> onEvent) {
    JsonValue.Obj o;
    try {
      o = Json.parse(payload).asObject();
    } catch (RuntimeException e) {
      LOG.debug("ignoring a job event that is not JSON: {}", e.getMessage());
      return;
    }
    JsonValue.Obj data =
        o.get("data")
            .filter(JsonValue.Obj.class::isInstance)
            .map(JsonValue.Obj.class::cast)
            .orElse(new JsonValue.Obj(Map.of()));
    onEvent.accept(
        new Event(
            o.string("job", ""),
            o.string("worker", ""),
            o.integer("id", 0),
            o.string("type", ""),
            data));
  }

  private void post(String channel, String payload) {
    if (!on || closed) {
      return;
    }
    if (!outbox.offer(new String[] {channel, payload})) {
      LOG.debug("dropping a {} message: the database is behind", channel);
    }
  }

  private void send() {
    while (!closed || !outbox.isEmpty()) {
      String[] m;
      try {
        m = outbox.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (m != null) {
        notes.publish(m[0], m[1]);
      }
    }
  }

  /** Sends what is queued (up to a second) and stops. */
  @Override
  public void close() {
    closed = true;
    if (on) {
      try {
        sender.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
