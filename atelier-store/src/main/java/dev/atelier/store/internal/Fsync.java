package dev.atelier.store.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Forces files and directories to stable storage. */
public final class Fsync {
  private Fsync() {}

  /**
   * Forces a directory's entries (names created, renamed or deleted in it) to disk.
   *
   * <p>Without this a rename can be lost in a power cut even though the file's bytes were forced.
   * Some platforms (Windows) refuse to open a directory as a channel; there the rename is as
   * durable as the platform makes it, so the refusal is ignored.
   */
  public static void directory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // See above: the platform does not support syncing a directory.
    }
  }
}
