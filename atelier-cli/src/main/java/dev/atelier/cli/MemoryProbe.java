package dev.atelier.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The memory figures of one measured run in this process: the heap after each garbage collection,
 * the heap pools' peaks, the process's peak RSS and the bytes the measuring thread allocated.
 *
 * <p>{@link #reset()} before a run, read the figures after it. The heap after a collection is a
 * lower bound of the live peak (0 when no collection ran); the heap pools' peak is live data plus
 * garbage not yet collected, so it depends on the heap size; the peak RSS is Linux's {@code VmHWM},
 * reset through {@code /proc/self/clear_refs} where the kernel allows it.
 */
final class MemoryProbe {
  /** The largest heap occupancy right after a collection since the last reset, in bytes. */
  private static final AtomicLong LIVE_AFTER_GC = new AtomicLong();

  private static volatile boolean rssResettable;
  private static volatile long baselineHeap;

  static {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(
            (n, handback) -> {
              if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                  n.getType())) {
                return;
              }
              GcInfo info =
                  GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
                      .getGcInfo();
              long used = 0;
              for (MemoryUsage u : info.getMemoryUsageAfterGc().values()) {
                used += u.getUsed();
              }
              LIVE_AFTER_GC.accumulateAndGet(used - nonHeapUsed(info), Math::max);
            },
            null,
            null);
      }
    }
  }

  private MemoryProbe() {}

  /** Collects garbage and resets the heap pools' peaks and, on Linux, the peak RSS. */
  static void reset() {
    System.gc();
    LIVE_AFTER_GC.set(0);
    baselineHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    try {
      // "5" resets VmHWM to the current RSS (Linux 4.0 and later).
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      rssResettable = true;
    } catch (IOException | RuntimeException e) {
      rssResettable = false;
    }
  }

  /** Whether the last {@link #reset()} reset the peak RSS (else it counts from the start). */
  static boolean rssResettable() {
    return rssResettable;
  }

  /** The heap in use right after the last {@link #reset()}'s full collection, in MiB. */
  static double baselineHeapMiB() {
    return baselineHeap / (1024.0 * 1024.0);
  }

  /** The largest heap occupancy right after a collection since the last reset, in MiB. */
  static double liveAfterGcMiB() {
    return LIVE_AFTER_GC.get() / (1024.0 * 1024.0);
  }

  /** The bytes the calling thread has allocated since it started. */
  static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getCurrentThreadAllocatedBytes();
  }

  /** The heap pools' summed peak since the last reset, in MiB. */
  static double heapPeakMiB() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum / (1024.0 * 1024.0);
  }

  /** The process's peak RSS ({@code VmHWM}) in MiB, NaN where /proc is not there. */
  static double rssPeakMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  /** The non-heap pools' share of a collection's "after" figures (code cache, metaspace). */
  private static long nonHeapUsed(GcInfo info) {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != MemoryType.HEAP) {
        MemoryUsage u = info.getMemoryUsageAfterGc().get(pool.getName());
        sum += u == null ? 0 : u.getUsed();
      }
    }
    return sum;
  }
}
