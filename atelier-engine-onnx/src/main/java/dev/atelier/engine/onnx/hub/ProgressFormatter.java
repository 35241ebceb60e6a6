package dev.atelier.engine.onnx.hub;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Formats download progress as one line of text with a bar, rate and time left, for terminals.
 *
 * <p>The rate counts only bytes transferred since the first report, so a resumed download does not
 * claim the already present bytes as speed. Not thread-safe; use one per download.
 */
public final class ProgressFormatter {

  private static final int BAR_WIDTH = 20;

  private final LongSupplier nanoClock;
  private long startNanos = -1;
  private long startBytes;

  /** A formatter timed by {@link System#nanoTime()}. */
  public ProgressFormatter() {
    this(System::nanoTime);
  }

  /** A formatter timed by {@code nanoClock} (for tests). */
  public ProgressFormatter(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /**
   * One line such as {@code unet/model.onnx [#####---------------] 25% 1.0 GB/4.0 GB 10.0 MB/s ETA
   * 5m00s}.
   */
  public String format(String file, long bytesDone, long totalBytes) {
    long now = nanoClock.getAsLong();
    if (startNanos < 0) {
      startNanos = now;
      startBytes = bytesDone;
    }
    double rate = rate(bytesDone - startBytes, now - startNanos);
    double fraction = totalBytes <= 0 ? 1 : Math.min(1, (double) bytesDone / totalBytes);
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return String.format(
        Locale.ROOT,
        "%s [%s%s] %3d%% %s/%s %s/s ETA %s",
        file,
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled),
        (int) Math.floor(fraction * 100),
        bytes(bytesDone),
        bytes(totalBytes),
        bytes(Math.round(rate)),
        eta(Math.max(0, totalBytes - bytesDone), rate));
  }

  /** Bytes per second for {@code bytes} moved in {@code nanos}; 0 before any time has passed. */
  public static double rate(long bytes, long nanos) {
    return nanos <= 0 ? 0 : bytes * 1e9 / nanos;
  }

  /**
   * Time left for {@code remainingBytes} at {@code bytesPerSecond}: {@code 42s}, {@code 3m05s},
   * {@code 2h07m}; {@code --:--} when the rate is not known yet.
   */
  public static String eta(long remainingBytes, double bytesPerSecond) {
    if (remainingBytes == 0) {
      return "0s";
    }
    if (bytesPerSecond <= 0) {
      return "--:--";
    }
    long seconds = (long) Math.ceil(remainingBytes / bytesPerSecond);
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }

  /** Decimal units as the Hub shows sizes: {@code 512 B}, {@code 1.5 kB}, {@code 5.5 GB}. */
  public static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = n;
    int unit = -1;
    while (v >= 1000 && unit < units.length - 1) {
      v /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[unit]);
  }
}
