package dev.atelier.engine.onnx.model;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Optimised ONNX graphs kept on disk between runs: creating a Stable Diffusion UNet session spends
 * most of its time optimising the graph, which gives the same result every time for the same file,
 * ONNX Runtime version, device and CPU.
 *
 * <p>An entry is {@code <key>.onnx} (weights in {@code <key>.onnx.data} beside it) plus a {@code
 * <key>.ok} marker written last, so a crash while saving leaves nothing that is used. The key
 * hashes the source file's path, size and modification time, the variant (e.g. a retyped input),
 * the ONNX Runtime version, the device and the CPU model, since fully optimised graphs may use
 * CPU-specific layouts.
 */
final class OptimizedGraphCache {
  private final Path dir;

  OptimizedGraphCache(Path dir) {
    this.dir = dir;
  }

  String key(Path source, String variant, OrtSettings settings) throws IOException {
    String text =
        source.toAbsolutePath().normalize()
            + "|"
            + Files.size(source)
            + "|"
            + Files.getLastModifiedTime(source).toMillis()
            + "|"
            + variant
            + "|"
            + OrtEnvironment.getEnvironment().getVersion()
            + "|"
            + settings.device()
            + "|"
            + System.getProperty("os.arch")
            + "|"
            + cpuModel();
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The optimised graph for {@code key}, when a complete entry exists. */
  Optional<Path> find(String key) {
    Path graph = dir.resolve(key + ".onnx");
    return Files.isRegularFile(dir.resolve(key + ".ok")) && Files.isRegularFile(graph)
        ? Optional.of(graph)
        : Optional.empty();
  }

  /** Where ONNX Runtime should save the graph for {@code key}; creates the folder. */
  Path target(String key) throws IOException {
    createDirectory();
    return dir.resolve(key + ".onnx");
  }

  /** The external-data file name ONNX Runtime writes beside {@link #target}. */
  static String dataFileName(String key) {
    return key + ".onnx.data";
  }

  /** Marks the entry complete. */
  void commit(String key) throws IOException {
    Files.writeString(dir.resolve(key + ".ok"), "ok");
  }

  /** Removes an entry that could not be used. */
  void evict(String key) {
    for (String suffix : new String[] {".ok", ".onnx", ".onnx.data"}) {
      try {
        Files.deleteIfExists(dir.resolve(key + suffix));
      } catch (IOException e) {
        // Best effort: a stale entry without its marker is never used.
      }
    }
  }

  /** Marks {@code key} as not cacheable (saving failed), so later loads do not try again. */
  void skip(String key) {
    try {
      createDirectory();
      Files.writeString(dir.resolve(key + ".skip"), "saving the optimised graph failed");
    } catch (IOException e) {
      // Then the next load tries again; correctness does not depend on the marker.
    }
  }

  /** True when saving {@code key} failed before. */
  boolean skipped(String key) {
    return Files.isRegularFile(dir.resolve(key + ".skip"));
  }

  // Owner-only like the rest of the data folder (README, "The server"); the graphs ONNX Runtime
  // writes inside get its default mode, and the folder keeps other users out of them.
  private void createDirectory() throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException e) {
        // Created concurrently: fine.
      }
    } else {
      Files.createDirectories(dir);
    }
  }

  private static String cpuModel() {
    StringBuilder sb = new StringBuilder();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if ((line.startsWith("model name") || line.startsWith("flags")) && sb.indexOf(line) < 0) {
          sb.append(line).append('|');
        }
        if (line.isBlank() && sb.length() > 0) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
    return sb.length() == 0 ? "unknown" : sb.toString();
  }
}
