package dev.atelier.store.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Creates folders (0700) and files (0600) that only their owner can read, whatever the umask.
 *
 * <p>The data folder holds prompts, images and the database; other users on the machine have no
 * business reading them, and an operator who wants to share them can still widen the modes. Only
 * what is created here gets these modes; existing paths are left as the operator set them. On file
 * systems without POSIX permissions (Windows) paths are created with the platform's defaults.
 */
public final class OwnerOnly {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final FileAttribute<?>[] DIR =
      POSIX
          ? new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
          }
          : new FileAttribute<?>[0];
  private static final FileAttribute<?>[] FILE =
      POSIX
          ? new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
          }
          : new FileAttribute<?>[0];

  private OwnerOnly() {}

  /** Creates {@code dir} and any missing parents, each new one 0700. */
  public static Path createDirectories(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return dir;
    }
    Path parent = absolute.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(absolute, DIR);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(absolute)) {
        throw e;
      }
      // Created concurrently by another thread or process: fine.
    }
    return dir;
  }

  /** Creates {@code file} as an empty 0600 file unless it exists. */
  public static void createFileIfAbsent(Path file) throws IOException {
    try {
      Files.createFile(file, FILE);
    } catch (FileAlreadyExistsException e) {
      // Keep the existing file and its mode.
    }
  }

  /**
   * Creates a 0600 temporary file in {@code dir} (as {@link Files#createTempFile} does on POSIX).
   */
  public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
    return Files.createTempFile(dir, prefix, suffix, FILE);
  }
}
