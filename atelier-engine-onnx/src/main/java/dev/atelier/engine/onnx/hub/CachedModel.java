package dev.atelier.engine.onnx.hub;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A model revision found in the {@link ModelCache}.
 *
 * @param id the repository id, {@code owner/name}
 * @param revision the revision it was pulled at
 * @param path the folder holding its files
 * @param sizeOnDisk bytes of all files in the folder
 * @param complete true when a pull finished; incomplete folders are never handed to the engine
 */
public record CachedModel(
    String id, String revision, Path path, long sizeOnDisk, boolean complete) {

  /** Validates the values. */
  public CachedModel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(path, "path");
    if (sizeOnDisk < 0) {
      throw new IllegalArgumentException("sizeOnDisk must be >= 0 but was " + sizeOnDisk);
    }
  }
}
