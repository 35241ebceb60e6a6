package dev.atelier.server.images;

import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.RateCounters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes blobs that no row names while the server runs, once per UTC day across every process on
 * one database (the start-up sweep alone never runs on a cluster whose nodes are not restarted).
 *
 * <p>Orphans come from deleted images and sessions (blobs are shared by content, so a delete
 * removes rows only) and from a process that died between writing a blob and committing its row.
 * Every hour each process asks the database for the day's sweep with a counter of limit one (the
 * rate-limit counters, {@link RateCounters#take}): the one process that takes it lists the
 * referenced blobs and sweeps; the others do nothing until the next day. The sweep keeps every blob
 * written within its grace, at least {@link BlobStore#SHARED_SWEEP_GRACE}: while the server runs a
 * job's blobs are written before its row commits, in this process too.
 */
public final class BlobSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BlobSweeper.class);

  /** The counter that says this day's sweep was taken; not an API key id (those start "key_"). */
  static final String COUNTER = "atelier:blob-sweep";

  /** How often each process asks whether the day's sweep is still to do. */
  static final Duration CHECK_EVERY = Duration.ofHours(1);

  private final MetadataStore metadata;
  private final BlobStore blobs;
  private final Duration grace;
  private final Clock clock;
  private ScheduledExecutorService timer;

  /**
   * A sweeper of {@code blobs} against the rows of {@code metadata}.
   *
   * @param grace the configured grace; the sweep uses at least {@link BlobStore#SHARED_SWEEP_GRACE}
   */
  public BlobSweeper(MetadataStore metadata, BlobStore blobs, Duration grace, Clock clock) {
    this.metadata = metadata;
    this.blobs = blobs;
    this.grace =
        grace.compareTo(BlobStore.SHARED_SWEEP_GRACE) < 0 ? BlobStore.SHARED_SWEEP_GRACE : grace;
    this.clock = clock;
  }

  /** The grace the sweeps use. */
  public Duration grace() {
    return grace;
  }

  /**
   * Sweeps if no process has swept on this UTC day yet.
   *
   * @return the number of blobs deleted, or -1 when the day's sweep was already taken
   */
  public int sweepIfDue() {
    Instant now = clock.instant();
    RateCounters.Counter today = RateCounters.Counter.at(COUNTER, RateCounters.Window.DAY, now);
    if (metadata.take(today, 1).isEmpty()) {
      return -1;
    }
    int deleted;
    try {
      deleted = blobs.sweep(metadata.referencedBlobs(), grace);
    } catch (RuntimeException e) {
      // Gives the day's sweep back, so the next check (here or on another node) does it.
      try {
        metadata.add(today, -1);
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    LOG.info("daily blob sweep: {} unreferenced blob(s) older than {} deleted", deleted, grace);
    return deleted;
  }

  /** Checks every hour on a daemon thread, the first time an hour from now. */
  public synchronized BlobSweeper start() {
    if (timer == null) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "atelier-blob-sweep");
                t.setDaemon(true);
                return t;
              });
      long every = CHECK_EVERY.toMillis();
      timer.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void check() {
    try {
      sweepIfDue();
    } catch (RuntimeException e) {
      // The database or the store is away: the next hour tries again.
      LOG.warn("daily blob sweep failed: {}", e.getMessage());
    }
  }

  /** Stops the hourly checks. */
  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }
}
