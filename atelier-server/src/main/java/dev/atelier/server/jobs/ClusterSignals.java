package dev.atelier.server.jobs;

import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.store.JobStore;
import dev.atelier.store.Notifications;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
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

  /** The shortest time between two progress messages of one job (coalesced in between). */
  static final long PROGRESS_MILLIS = 100;

  /** One job event as a message carries it. */
  record Event(String job, String worker, long id, String type, JsonValue.Obj data) {}

  /** A progress message held back until its job's window ends. */
  private record Held(String payload, long dueNanos) {}

  private final Notifications notes;
  private final JobStore store;
  private final Clock clock;
  private final boolean on;
  private final BlockingQueue<Runnable> outbox = new ArrayBlockingQueue<>(4096);
  private final Map<String, Long> lastProgress = new ConcurrentHashMap<>();
  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final Thread sender;
  private volatile boolean closed;

  ClusterSignals(Notifications notes, JobStore store, Clock clock) {
    this.notes = notes;
    this.store = store;
    this.clock = clock;
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

  /**
   * Job {@code job}'s event {@code id} of {@code type} ({@code data} only for progress); {@code
   * force} sends progress even inside its job's coalescing window (a step run's last step, a change
   * of the images done).
   */
  void event(String job, String worker, long id, String type, JsonValue.Obj data, boolean force) {
    if (!on) {
      return;
    }
    String payload = payload(job, worker, id, type, type.equals("progress") ? data : null);
    if (!type.equals("progress")) {
      flushHeld(job);
      lastProgress.remove(job);
      post(EVENTS, payload);
      return;
    }
    long now = System.nanoTime();
    synchronized (held) {
      Long last = lastProgress.get(job);
      if (force || last == null || now - last >= PROGRESS_MILLIS * 1_000_000) {
        held.remove(job);
        lastProgress.put(job, now);
        post(EVENTS, payload);
      } else {
        // The newest progress of the window replaces the one held; sent when the window ends.
        held.put(job, new Held(payload, last + PROGRESS_MILLIS * 1_000_000));
      }
    }
  }

  /**
   * Job {@code job}'s partial image event {@code id} ({@code data}, the event's JSON): stored, then
   * announced, on the sending thread (a step never waits on the database).
   */
  void partialImage(String job, String worker, long id, JsonValue.Obj data) {
    if (!on || closed) {
      return;
    }
    flushHeld(job);
    String payload = payload(job, worker, id, "partial_image", null);
    String json = Json.write(data);
    offer(
        () -> {
          store.savePartialImage(job, worker, id, json, clock.instant());
          notes.publish(EVENTS, payload);
        },
        "partial image");
  }

  /** Runs {@code catchUp} whenever listening resumed after a gap (messages may have been lost). */
  void onReconnect(Runnable catchUp) {
    if (on) {
      notes.onReconnect(catchUp);
    }
  }

  private static String payload(
      String job, String worker, long id, String type, JsonValue.Obj data) {
    Map<String, JsonValue> m = new LinkedHashMap<>();
    m.put("job", new JsonValue.Str(job));
    m.put("worker", new JsonValue.Str(worker));
    m.put("id", new JsonValue.Num(id));
    m.put("type", new JsonValue.Str(type));
    if (data != null) {
      m.put("data", data);
    }
    return Json.write(new JsonValue.Obj(m));
  }

  /** Sends job {@code job}'s held progress now, ahead of a message that must follow it. */
  private void flushHeld(String job) {
    synchronized (held) {
      Held h = held.remove(job);
      if (h != null) {
        post(EVENTS, h.payload());
      }
    }
  }

  /** Sends the held progress whose window ended; returns nanos until the next one is due. */
  private long sendDue() {
    long now = System.nanoTime();
    long next = Long.MAX_VALUE;
    synchronized (held) {
      for (var it = held.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        if (e.getValue().dueNanos() <= now) {
          it.remove();
          lastProgress.put(e.getKey(), now);
          post(EVENTS, e.getValue().payload());
        } else {
          next = Math.min(next, e.getValue().dueNanos() - now);
        }
      }
    }
    return next;
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
    offer(() -> notes.publish(channel, payload), channel);
  }

  private void offer(Runnable send, String what) {
    if (!outbox.offer(send)) {
      LOG.debug("dropping a {} message: the database is behind", what);
    }
  }

  private void send() {
    while (!closed || !outbox.isEmpty() || !held.isEmpty()) {
      long due = sendDue();
      Runnable m;
      try {
        m = outbox.poll(Math.min(200, Math.max(1, due / 1_000_000)), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (m != null) {
        try {
          m.run();
        } catch (RuntimeException e) {
          LOG.warn("a job signal could not be sent: {}", e.getMessage());
        }
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
