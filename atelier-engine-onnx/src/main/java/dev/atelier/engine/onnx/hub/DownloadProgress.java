package dev.atelier.engine.onnx.hub;

/**
 * Receives progress while files are downloaded, often enough to draw a bar with rate and ETA.
 *
 * <p>Called on the downloading thread; implementations should return quickly. {@link ModelCache}
 * reports totals over the whole pull; {@link HubClient} reports one file at a time.
 */
@FunctionalInterface
public interface DownloadProgress {

  /** Ignores all progress. */
  DownloadProgress NONE = (file, done, total) -> {};

  /**
   * Reports progress.
   *
   * @param file the repository path of the file being transferred
   * @param bytesDone bytes present so far (resumed bytes included)
   * @param totalBytes bytes expected in all
   */
  void update(String file, long bytesDone, long totalBytes);
}
