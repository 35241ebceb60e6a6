package dev.atelier.store;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Content-addressed image bytes: stored under their SHA-256, written durably before any row may
 * reference them.
 *
 * <p>Implementations are thread-safe. Failures are {@link
 * dev.atelier.core.AtelierException.StorageFailure}; no failure message names a credential.
 */
public interface BlobStore extends AutoCloseable {

  /**
   * The sweep grace for stores that several processes write: a blob younger than this is never
   * swept, so a blob whose row another node is still committing survives (see {@link #sweep(Set,
   * Duration)}).
   */
  Duration SHARED_SWEEP_GRACE = Duration.ofHours(1);

  /**
   * Stores {@code bytes} and returns their lowercase hex SHA-256. Durable when this returns;
   * storing the same bytes again writes nothing new but marks the blob as recently written, so that
   * a sweep's grace protects it again.
   */
  String put(byte[] bytes);

  /** The bytes stored under {@code sha256}, if any. */
  Optional<byte[]> get(String sha256);

  /** True when a blob named {@code sha256} exists. */
  boolean exists(String sha256);

  /**
   * Deletes every blob not named in {@code keep} that was last written more than {@code grace} ago,
   * and leftovers of interrupted writes as old.
   *
   * <p>The grace is what makes a sweep safe while other processes write: a blob is put before the
   * row that names it commits, so a blob younger than the grace may be referenced by a row that
   * {@code keep} (read earlier) does not hold yet. With {@link Duration#ZERO} every unreferenced
   * blob goes, which is right only when no other process writes blobs or rows.
   *
   * @return how many blobs and leftovers were deleted
   * @throws IllegalArgumentException when {@code grace} is negative
   */
  int sweep(Set<String> keep, Duration grace);

  /** {@link #sweep(Set, Duration)} with no grace: for a store that only this process writes. */
  default int sweep(Set<String> keep) {
    return sweep(keep, Duration.ZERO);
  }

  /**
   * A URL that fetches {@code sha256}'s bytes directly from the store, without credentials, for
   * {@code ttl}; empty when this store cannot hand out such URLs (files).
   *
   * @param contentType the {@code Content-Type} the store should answer with
   * @throws IllegalArgumentException when {@code sha256} is not a blob name or {@code ttl} is not
   *     what the store accepts
   */
  default Optional<URI> presignedGet(String sha256, String contentType, Duration ttl) {
    return Optional.empty();
  }

  /**
   * Where the blobs live, for banners and logs (a folder, {@code s3://bucket/prefix}); no secret.
   */
  String location();

  /** Releases connections; the default holds none. */
  @Override
  default void close() {}
}
