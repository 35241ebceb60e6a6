package dev.atelier.engine.onnx.hub;

import java.util.Objects;
import java.util.Optional;

/**
 * One file of a Hub repository, as listed by the tree API.
 *
 * @param path the path inside the repository, with {@code /} separators
 * @param size the size in bytes
 * @param sha256 the LFS object id (lower-case hex SHA-256) for LFS files, {@code ""} otherwise
 */
public record HubFile(String path, long size, String sha256) {

  /** Validates the values. */
  public HubFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sha256, "sha256");
    if (path.isEmpty() || path.startsWith("/") || path.contains("\\")) {
      throw new IllegalArgumentException("file path must be relative with / separators: " + path);
    }
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals("..") || part.equals(".")) {
        throw new IllegalArgumentException(
            "file path must not contain empty, . or .. parts: " + path);
      }
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0 but was " + size + " for " + path);
    }
    if (!sha256.isEmpty() && !sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "sha256 must be 64 lower-case hex digits but was '" + sha256 + "' for " + path);
    }
  }

  /** The expected SHA-256, present for LFS files. */
  public Optional<String> checksum() {
    return sha256.isEmpty() ? Optional.empty() : Optional.of(sha256);
  }

  /** The last path segment. */
  public String name() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
