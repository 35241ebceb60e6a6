package dev.atelier.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples another process's resident set size from {@code /proc/<pid>/status} (Linux) on a named
 * daemon thread, so a load test can report the server's memory apart from its own.
 *
 * <p>{@link #start} resets the process's peak ({@code VmHWM}) to its current RSS where the kernel
 * allows it ({@code /proc/<pid>/clear_refs}, owner only), so the peak is the load's and not the
 * start-up's; {@link #peakKib} is the larger of that peak and the largest sample.
 */
final class RssSampler implements AutoCloseable {
  private final Path status;
  private final Path clearRefs;
  private final long intervalMillis;
  private final AtomicLong maxSampledKib = new AtomicLong(-1);
  private volatile boolean peakReset;
  private Thread thread;

  RssSampler(long pid, long intervalMillis) {
    if (intervalMillis < 1) {
      throw new IllegalArgumentException(
          "intervalMillis must be at least 1 but was " + intervalMillis);
    }
    Path proc = Path.of("/proc", Long.toString(pid));
    this.status = proc.resolve("status");
    this.clearRefs = proc.resolve("clear_refs");
    this.intervalMillis = intervalMillis;
  }

  /** Whether this machine has {@code /proc/<pid>/status} for the process. */
  boolean available() {
    return Files.isReadable(status);
  }

  /** The process's RSS now, in KiB; empty once it has exited or off Linux. */
  OptionalLong rssKib() {
    return field("VmRSS:");
  }

  /**
   * Resets the peak where allowed and starts sampling every {@code intervalMillis}.
   *
   * @throws IllegalStateException if already started
   */
  void start() {
    if (thread != null) {
      throw new IllegalStateException("the sampler was already started");
    }
    try {
      // "5" resets VmHWM to the current RSS (Linux 4.0 and later).
      Files.writeString(clearRefs, "5");
      peakReset = true;
    } catch (IOException | SecurityException e) {
      peakReset = false;
    }
    thread =
        Thread.ofPlatform()
            .name("bench-server-rss")
            .daemon()
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    sample();
                    try {
                      Thread.sleep(intervalMillis);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  /** Whether {@link #start} could reset the peak, so that it covers only what came after. */
  boolean peakReset() {
    return peakReset;
  }

  /** The largest RSS seen since {@link #start}, in KiB: samples and the kernel's own peak. */
  OptionalLong peakKib() {
    sample();
    long peak = maxSampledKib.get();
    OptionalLong hwm = field("VmHWM:");
    if (hwm.isPresent()) {
      peak = Math.max(peak, hwm.getAsLong());
    }
    return peak < 0 ? OptionalLong.empty() : OptionalLong.of(peak);
  }

  private void sample() {
    OptionalLong rss = rssKib();
    if (rss.isPresent()) {
      maxSampledKib.accumulateAndGet(rss.getAsLong(), Math::max);
    }
  }

  private OptionalLong field(String name) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(name)) {
          // "VmRSS:	  123456 kB"
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process has exited, or this is not Linux: no figure rather than a wrong one.
    }
    return OptionalLong.empty();
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
