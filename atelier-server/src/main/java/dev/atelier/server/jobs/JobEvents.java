package dev.atelier.server.jobs;

import dev.atelier.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events of one job as its worker in this process reports them, numbered from 1, kept so that a
 * client that reconnects with {@code Last-Event-ID} gets what it missed.
 *
 * <p>At most {@link #MAX_EVENTS} are kept: progress events past that replace each other (the last
 * one is what a late client needs); partial images and the end are always kept.
 */
public final class JobEvents {
  /** How many events one job keeps. */
  static final int MAX_EVENTS = 512;

  /**
   * One event.
   *
   * @param id its number, 1 for the first
   * @param type {@code progress}, {@code partial_image}, {@code completed}, {@code failed} or
   *     {@code cancelled}
   * @param data its JSON
   * @param mirrored whether another process's worker sent it (the job does not run here)
   */
  public record Event(long id, String type, JsonValue.Obj data, boolean mirrored) {
    /** Whether it ends the job's stream. */
    public boolean last() {
      return type.equals("completed") || type.equals("failed") || type.equals("cancelled");
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition added = lock.newCondition();
  private final List<Event> events = new ArrayList<>();
  private long next = 1;
  private boolean ended;
  private volatile java.util.function.Consumer<Event> forward = e -> {};

  /**
   * Adds an event; nothing after the last one.
   *
   * @return its number, 0 when it came after the last one and was dropped
   */
  public long add(String type, JsonValue.Obj data) {
    return add(type, data, false);
  }

  /** Adds an event that a worker in another process sent, as {@link #add} does. */
  long mirror(String type, JsonValue.Obj data) {
    return add(type, data, true);
  }

  /**
   * Hands each event added from now on to {@code to} as well (after adding it, on the adding
   * thread): the runner relays the partial images of a job it runs to other processes.
   */
  void forward(java.util.function.Consumer<Event> to) {
    this.forward = to;
  }

  private long add(String type, JsonValue.Obj data, boolean mirrored) {
    Event e;
    lock.lock();
    try {
      if (ended) {
        return 0;
      }
      e = new Event(next++, type, data, mirrored);
      if (events.size() >= MAX_EVENTS
          && type.equals("progress")
          && events.getLast().type().equals("progress")) {
        events.removeLast();
      }
      events.add(e);
      ended = e.last();
      added.signalAll();
    } finally {
      lock.unlock();
    }
    forward.accept(e);
    return e.id();
  }

  /** Whether the last event was added. */
  public boolean ended() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The events after {@code lastId}, waiting up to {@code timeoutMillis} for one when there are
   * none yet; empty when none came in time.
   */
  public List<Event> after(long lastId, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    lock.lock();
    try {
      while (true) {
        List<Event> out = events.stream().filter(e -> e.id() > lastId).toList();
        if (!out.isEmpty() || ended) {
          return out;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return List.of();
        }
        added.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }
}
