package dev.atelier.store;

import dev.atelier.core.AtelierException;
import dev.atelier.store.internal.BlobNames;
import dev.atelier.store.internal.Fsync;
import dev.atelier.store.internal.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@link BlobStore} in a folder: {@code <root>/blobs/sha256/<first 2 hex>/<64 hex>}.
 *
 * <p>A put writes a temp file in {@code <root>/blobs/tmp/}, forces it, renames it atomically into
 * place and forces the directory, so a blob either exists whole and durable or not at all; a crash
 * leaves at most a temp file, which {@link #sweep} removes. Names are checked to be 64 lowercase
 * hex digits before any path is built from them. Puts and sweeps of one instance exclude each
 * other, so a sweep never deletes a temp file being written; other processes sharing the folder are
 * protected by the sweep's grace (files are aged by their modification time, which a put of bytes
 * already stored renews).
 *
 * <p>Blobs are written 0600 and the folders this store creates are 0700 (owner only, whatever the
 * umask), like the SQLite database beside them.
 */
public final class FileBlobStore implements BlobStore {
  private final Path blobs;
  private final Path tmp;
  // Puts share the lock; a sweep takes it alone so that it never sees a half-finished put.
  private final ReadWriteLock sweepLock = new ReentrantReadWriteLock();

  /**
   * Opens (creating if absent) the blob folders under {@code root}.
   *
   * @throws AtelierException.StorageFailure when the folders cannot be created
   */
  public FileBlobStore(Path root) {
    Path base = root.toAbsolutePath().normalize().resolve("blobs");
    this.blobs = base.resolve("sha256");
    this.tmp = base.resolve("tmp");
    try {
      OwnerOnly.createDirectories(blobs);
      OwnerOnly.createDirectories(tmp);
    } catch (IOException e) {
      throw new AtelierException.StorageFailure(
          "cannot create blob folders under " + base + ": " + e, e);
    }
  }

  private Path pathOf(String sha256) {
    BlobNames.require(sha256);
    return blobs.resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  @Override
  public String put(byte[] bytes) {
    String sha = BlobNames.sha256(bytes);
    Path target = pathOf(sha);
    sweepLock.readLock().lock();
    try {
      if (renewed(target)) {
        return sha;
      }
      Path temp = OwnerOnly.createTempFile(tmp, sha.substring(0, 8) + "-", ".tmp");
      try {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
          channel.force(true);
        }
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
          OwnerOnly.createDirectories(dir);
          Fsync.directory(blobs);
        }
        // A concurrent put of the same bytes may win the race; replacing identical content is
        // harmless, and POSIX rename replaces atomically.
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        Fsync.directory(dir);
      } finally {
        Files.deleteIfExists(temp);
      }
      return sha;
    } catch (IOException e) {
      throw new AtelierException.StorageFailure(
          "cannot store blob " + sha + " (" + bytes.length + " bytes) under " + blobs + ": " + e,
          e);
    } finally {
      sweepLock.readLock().unlock();
    }
  }

  /**
   * Marks an existing blob as just written (so a sweep's grace covers the row about to name it);
   * false when there is none.
   */
  private boolean renewed(Path target) throws IOException {
    if (!Files.exists(target)) {
      return false;
    }
    try {
      Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
      return true;
    } catch (NoSuchFileException sweptMeanwhile) {
      return false;
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code sha256} is not 64 lowercase hex digits
   */
  @Override
  public Optional<byte[]> get(String sha256) {
    Path path = pathOf(sha256);
    try {
      return Optional.of(Files.readAllBytes(path));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new AtelierException.StorageFailure("cannot read blob " + path + ": " + e, e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code sha256} is not 64 lowercase hex digits
   */
  @Override
  public boolean exists(String sha256) {
    return Files.isRegularFile(pathOf(sha256));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Only files named like blobs are considered blobs; anything else under the blob folder is
   * left alone. A file's age is its modification time. Within this process puts and sweeps exclude
   * each other; with no grace, callers must not write rows for blobs put while {@code keep} is
   * being computed (sweep at startup, before serving).
   */
  @Override
  public int sweep(Set<String> keep, Duration grace) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must be zero or positive but was " + grace);
    }
    // With no grace every file counts as old, whatever its time stamp says.
    Instant cutoff = grace.isZero() ? Instant.MAX : Instant.now().minus(grace);
    sweepLock.writeLock().lock();
    try {
      int deleted = 0;
      try (DirectoryStream<Path> temps = Files.newDirectoryStream(tmp)) {
        for (Path temp : temps) {
          deleted += olderThan(temp, cutoff) && Files.deleteIfExists(temp) ? 1 : 0;
        }
      }
      try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(blobs, Files::isDirectory)) {
        for (Path prefix : prefixes) {
          deleted += sweepPrefix(prefix, keep, cutoff);
        }
      }
      return deleted;
    } catch (IOException e) {
      throw new AtelierException.StorageFailure("cannot sweep blobs under " + blobs + ": " + e, e);
    } finally {
      sweepLock.writeLock().unlock();
    }
  }

  private static boolean olderThan(Path file, Instant cutoff) throws IOException {
    if (cutoff.equals(Instant.MAX)) {
      return true;
    }
    try {
      return Files.getLastModifiedTime(file).toInstant().isBefore(cutoff);
    } catch (NoSuchFileException gone) {
      return false;
    }
  }

  private static int sweepPrefix(Path prefix, Set<String> keep, Instant cutoff) throws IOException {
    int deleted = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (BlobNames.isValid(name)
            && !keep.contains(name)
            && olderThan(file, cutoff)
            && Files.deleteIfExists(file)) {
          deleted++;
        }
      }
    }
    if (deleted > 0) {
      Fsync.directory(prefix);
    }
    return deleted;
  }

  /** The blob folder. */
  @Override
  public String location() {
    return blobs.getParent().toString();
  }
}
