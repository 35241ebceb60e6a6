package dev.atelier.engine.onnx.hub;

import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body that has received no byte for a while, so that a stalled transfer fails
 * (and is retried) instead of hanging for ever.
 *
 * <p>The JDK's {@code HttpClient} has no per-read timeout: {@code HttpRequest.timeout} only bounds
 * the wait for the response headers, and a read from the body's {@code InputStream} blocks for as
 * long as the server keeps the connection open without sending. So the reading thread stamps each
 * read ({@link Watch#progress}), and one task per transfer, on a scheduler shared by every client
 * (one daemon thread, {@value #THREAD_NAME}), wakes when the timeout could have run out since the
 * last stamp: if a byte came meanwhile it goes back to sleep until the new deadline, else it closes
 * the stream. Closing the JDK's body stream cancels its subscription, which drops the connection
 * (it is never handed back to the pool half read) and wakes the blocked read with an {@code
 * IOException}; the reader asks {@link Watch#stalled} to tell a stall from a cut. Reads never touch
 * the scheduler, so watching costs one volatile write per read. Closing a {@link Watch} cancels its
 * task, which leaves the scheduler's queue at once: a finished transfer leaves nothing behind.
 */
final class StallWatchdog {

  static final String THREAD_NAME = "atelier-hub-stall-watchdog";

  private static final ScheduledThreadPoolExecutor SCHEDULER = newScheduler();

  private final Duration timeout;
  private final long timeoutNanos;
  private final Set<Watch> watching = ConcurrentHashMap.newKeySet();

  StallWatchdog(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.timeoutNanos = timeout.toNanos();
  }

  /** Starts watching {@code stream}, which is closed once no byte has come for the timeout. */
  Watch watch(Closeable stream) {
    Watch watch = new Watch(stream);
    watching.add(watch);
    watch.schedule(timeoutNanos);
    return watch;
  }

  /** Transfers watched now; a finished transfer is not among them (tests check this). */
  int watching() {
    return watching.size();
  }

  /** "no data for 60 s", for messages. */
  String describe() {
    BigDecimal seconds = BigDecimal.valueOf(timeout.toMillis()).movePointLeft(3);
    return "no data for " + seconds.stripTrailingZeros().toPlainString() + " s";
  }

  private static ScheduledThreadPoolExecutor newScheduler() {
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, THREAD_NAME);
              thread.setDaemon(true);
              return thread;
            });
    // Without this a cancelled check would sit in the queue until its deadline (a minute).
    scheduler.setRemoveOnCancelPolicy(true);
    return scheduler;
  }

  /** One transfer under watch; closing it stops the watch (the stream is the caller's). */
  final class Watch implements AutoCloseable {

    private final Closeable stream;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;
    private boolean closed; // guarded by this
    private ScheduledFuture<?> check; // guarded by this

    private Watch(Closeable stream) {
      this.stream = Objects.requireNonNull(stream, "stream");
    }

    /** Notes that bytes arrived just now. */
    void progress() {
      lastProgress = System.nanoTime();
    }

    /** True once the stream was closed because nothing came for the timeout. */
    boolean stalled() {
      return stalled;
    }

    @Override
    public void close() {
      synchronized (this) {
        closed = true;
        if (check != null) {
          check.cancel(false);
        }
      }
      watching.remove(this);
    }

    private synchronized void schedule(long delayNanos) {
      if (!closed) {
        check = SCHEDULER.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
      }
    }

    private void check() {
      long idle = System.nanoTime() - lastProgress;
      if (idle < timeoutNanos) {
        schedule(timeoutNanos - idle);
        return;
      }
      synchronized (this) {
        if (closed) {
          return;
        }
        stalled = true;
      }
      try {
        stream.close();
      } catch (IOException | RuntimeException e) {
        // The reader still wakes up or is already gone; either way this attempt is over.
      }
    }
  }
}
