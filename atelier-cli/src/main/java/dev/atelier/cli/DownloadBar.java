package dev.atelier.cli;

import dev.atelier.engine.onnx.hub.DownloadProgress;
import dev.atelier.engine.onnx.hub.ProgressFormatter;
import java.io.PrintStream;

/** Download progress on stderr (bytes, rate, ETA), redrawn at most four times a second. */
final class DownloadBar implements DownloadProgress {
  private final PrintStream out;
  private final boolean terminal;
  private final ProgressFormatter formatter = new ProgressFormatter();
  private long lastDraw;

  private DownloadBar(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  static DownloadBar stderr() {
    return new DownloadBar(System.err, System.console() != null);
  }

  @Override
  public void update(String file, long bytesDone, long totalBytes) {
    long now = System.nanoTime();
    boolean done = totalBytes > 0 && bytesDone >= totalBytes;
    if (!done && now - lastDraw < 250_000_000L) {
      return;
    }
    lastDraw = now;
    String line = "downloading " + formatter.format(file, bytesDone, totalBytes);
    if (terminal) {
      out.print("\r" + line + (done ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }
}
