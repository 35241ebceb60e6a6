package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Content-addressed blob files. */
class FileBlobStoreTest {
  // SHA-256 of "abc", from FIPS 180-2 appendix B.1.
  private static final String ABC_SHA =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @TempDir Path root;

  private byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putReturnsTheSha256AndGetReturnsTheBytes() {
    FileBlobStore store = new FileBlobStore(root);

    String sha = store.put(bytes("abc"));

    assertThat(sha).isEqualTo(ABC_SHA);
    assertThat(store.get(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("abc")));
    assertThat(store.exists(sha)).isTrue();
    assertThat(root.resolve("blobs/sha256/ba/" + ABC_SHA)).hasBinaryContent(bytes("abc"));
  }

  @Test
  void puttingTheSameBytesAgainChangesNothing() throws IOException {
    FileBlobStore store = new FileBlobStore(root);
    String first = store.put(bytes("abc"));

    String second = store.put(bytes("abc"));

    assertThat(second).isEqualTo(first);
    try (var files = Files.walk(root.resolve("blobs/sha256"))) {
      assertThat(files.filter(Files::isRegularFile)).hasSize(1);
    }
    try (var temps = Files.list(root.resolve("blobs/tmp"))) {
      assertThat(temps).isEmpty();
    }
  }

  @Test
  void emptyBlobIsStoredToo() {
    FileBlobStore store = new FileBlobStore(root);

    String sha = store.put(new byte[0]);

    assertThat(sha).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(store.get(sha)).hasValueSatisfying(b -> assertThat(b).isEmpty());
  }

  @Test
  void unknownBlobIsAbsent() {
    FileBlobStore store = new FileBlobStore(root);

    assertThat(store.get(ABC_SHA)).isEmpty();
    assertThat(store.exists(ABC_SHA)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../../etc/passwd",
        "",
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
        "ba/../../../../../../../../../../../../../../../../../../../etc/passwd00000000",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad/"
      })
  void namesThatAreNotLowercaseSha256AreRejected(String name) {
    FileBlobStore store = new FileBlobStore(root);

    assertThatThrownBy(() -> store.get(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "blob name must be 64 lowercase hex digits (a SHA-256) but was \"" + name + "\"");
    assertThatThrownBy(() -> store.exists(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sweepDeletesOrphansAndTempFilesButKeepsReferencedBlobs() throws IOException {
    FileBlobStore store = new FileBlobStore(root);
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
  void reopeningSeesEarlierBlobs() {
    String sha = new FileBlobStore(root).put(bytes("durable"));

    assertThat(new FileBlobStore(root).get(sha))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("durable")));
  }
}
