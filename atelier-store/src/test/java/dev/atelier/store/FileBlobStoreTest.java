package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Content-addressed blob files: the blob store contract, and what is particular to folders. */
class FileBlobStoreTest extends BlobStoreContract {
  @TempDir Path root;

  @Override
  protected BlobStore openStore() {
    return new FileBlobStore(root);
  }

  private Path file(String sha) {
    return root.resolve("blobs/sha256/" + sha.substring(0, 2) + "/" + sha);
  }

  @Override
  protected void age(String sha256, Duration by) throws IOException {
    Files.setLastModifiedTime(file(sha256), FileTime.from(Instant.now().minus(by)));
  }

  @Test
  void blobsAreFilesNamedByTheirSha256() {
    String sha = open().put(bytes("abc"));

    assertThat(file(sha)).hasBinaryContent(bytes("abc"));
  }

  @Test
  void puttingTheSameBytesAgainLeavesOneFileAndNoTemp() throws IOException {
    BlobStore store = open();
    store.put(bytes("abc"));

    store.put(bytes("abc"));

    try (var files = Files.walk(root.resolve("blobs/sha256"))) {
      assertThat(files.filter(Files::isRegularFile)).hasSize(1);
    }
    try (var temps = Files.list(root.resolve("blobs/tmp"))) {
      assertThat(temps).isEmpty();
    }
  }

  @Test
  void sweepDeletesOrphansAndTempFilesButKeepsReferencedBlobs() throws IOException {
    BlobStore store = open();
    String kept = store.put(bytes("kept"));
    String orphan = store.put(bytes("orphan"));
    Files.write(root.resolve("blobs/tmp/crashed-put.tmp"), bytes("half a png"));
    Path stray = root.resolve("blobs/sha256/" + kept.substring(0, 2) + "/README");
    Files.write(stray, bytes("not a blob"));

    int deleted = store.sweep(Set.of(kept));

    assertThat(deleted).isEqualTo(2);
    assertThat(store.exists(kept)).isTrue();
    assertThat(store.exists(orphan)).isFalse();
    assertThat(root.resolve("blobs/tmp/crashed-put.tmp")).doesNotExist();
    assertThat(stray).exists();
    assertThat(store.sweep(Set.of(kept))).isZero();
  }

  @Test
  void sweepWithGraceSparesTempFilesAnotherProcessMayStillBeWriting() throws IOException {
    BlobStore store = open();
    Path writing = root.resolve("blobs/tmp/another-process.tmp");
    Path crashed = root.resolve("blobs/tmp/crashed-put.tmp");
    Files.write(writing, bytes("half a png"));
    Files.write(crashed, bytes("half a png"));
    Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

    int deleted = store.sweep(Set.of(), Duration.ofHours(1));

    assertThat(deleted).isEqualTo(1);
    assertThat(writing).exists();
    assertThat(crashed).doesNotExist();
  }

  @Test
  void locationIsTheBlobFolder() {
    assertThat(open().location()).isEqualTo(root.toAbsolutePath().resolve("blobs").toString());
  }
}
