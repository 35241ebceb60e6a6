package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Everything the stores create under the data folder is owner-only, whatever the umask. */
class FileModesTest {
  @TempDir Path tmp;

  @BeforeAll
  static void posixOnly() {
    assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "file modes are POSIX permissions");
  }

  @Test
  void theDatabaseItsWalAndShmAndTheDataFolderAreOwnerOnly() throws IOException {
    Path data = tmp.resolve("new/data");
    try (MetadataStore store = Stores.open(data, "")) {
      store.insertImage(Fixtures.image("img_1"));

      assertThat(mode(data)).isEqualTo("rwx------");
      assertThat(mode(tmp.resolve("new"))).isEqualTo("rwx------");
      assertThat(mode(data.resolve(Stores.SQLITE_FILE))).isEqualTo("rw-------");
      // WAL mode: both exist while the connection is open and take the database file's mode.
      assertThat(mode(data.resolve(Stores.SQLITE_FILE + "-wal"))).isEqualTo("rw-------");
      assertThat(mode(data.resolve(Stores.SQLITE_FILE + "-shm"))).isEqualTo("rw-------");
    }
  }

  @Test
  void blobsAndTheirFoldersAreOwnerOnly() throws IOException {
    Path data = Stores.createDataDir(tmp.resolve("data"));
    BlobStore blobs = Stores.blobs(data);

    String sha = blobs.put("an image".getBytes(StandardCharsets.UTF_8));

    Path blob = data.resolve("blobs/sha256").resolve(sha.substring(0, 2)).resolve(sha);
    assertThat(mode(data)).isEqualTo("rwx------");
    assertThat(mode(data.resolve("blobs"))).isEqualTo("rwx------");
    assertThat(mode(data.resolve("blobs/tmp"))).isEqualTo("rwx------");
    assertThat(mode(blob.getParent())).isEqualTo("rwx------");
    assertThat(mode(blob)).isEqualTo("rw-------");
  }

  @Test
  void anExistingDataFolderKeepsTheModeItsOperatorGaveIt() throws IOException {
    Path data =
        Files.createDirectory(
            tmp.resolve("shared"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));

    Stores.createDataDir(data);
    Stores.blobs(data);

    assertThat(mode(data)).isEqualTo("rwxr-x---");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
