package dev.atelier.store;

import java.util.Optional;
import java.util.Set;

/**
 * Content-addressed image bytes: stored under their SHA-256, written durably before any row may
 * reference them.
 *
 * <p>Implementations are thread-safe. Failures are {@link
 * dev.atelier.core.AtelierException.StorageFailure}.
 */
public interface BlobStore {

  /**
   * Stores {@code bytes} and returns their lowercase hex SHA-256. Durable when this returns (temp
   * file, fsync, atomic rename, directory fsync); storing the same bytes again is a no-op.
   */
  String put(byte[] bytes);

  /** The bytes stored under {@code sha256}, if any. */
  Optional<byte[]> get(String sha256);

  /** True when a blob named {@code sha256} exists. */
  boolean exists(String sha256);

  /**
   * Deletes every blob not named in {@code keep} and every leftover temp file (what a crash between
   * write and commit leaves behind).
   *
   * @return how many files were deleted
   */
  int sweep(Set<String> keep);
}
