package dev.atelier.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How the server uses its blob store beyond reads and writes.
 *
 * @param sweepGrace at start, unreferenced blobs younger than this are kept: another node may be
 *     committing the row that names one ({@link dev.atelier.store.BlobStore#sweep(java.util.Set,
 *     Duration)}); zero when this process is the only writer (SQLite)
 * @param presign whether {@code GET /v1/images/{id}/content}, once its signature or key is checked,
 *     answers {@code 302 Found} to a presigned GET of the store (valid as long as image URLs are),
 *     so the bytes come from the store instead of through this server; ignored for a store that
 *     cannot presign (files)
 */
public record BlobPolicy(Duration sweepGrace, boolean presign) {
  /** One process, bytes through the server. */
  public static final BlobPolicy DEFAULT = new BlobPolicy(Duration.ZERO, false);

  /** Validates. */
  public BlobPolicy {
    Objects.requireNonNull(sweepGrace, "sweepGrace");
    if (sweepGrace.isNegative()) {
      throw new IllegalArgumentException(
          "sweepGrace must be zero or positive but was " + sweepGrace);
    }
  }
}
