package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.store.internal.BlobNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link BlobStore} does, run against each implementation (files, S3 through a real
 * s3proxy).
 */
abstract class BlobStoreContract {
  // SHA-256 of "abc", from FIPS 180-2 appendix B.1.
  static final String ABC_SHA = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  private final List<BlobStore> opened = new ArrayList<>();

  /** Opens a store; successive calls in one test open the same storage. */
  protected abstract BlobStore openStore();

  /** Makes the stored blob {@code sha256} look last written {@code by} ago, behind the store. */
  protected abstract void age(String sha256, Duration by) throws Exception;

  /** Opens a store closed after the test. */
  protected final BlobStore open() {
    BlobStore s = openStore();
    opened.add(s);
    return s;
  }

  @AfterEach
  void closeStores() {
    opened.forEach(BlobStore::close);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putReturnsTheSha256AndGetReturnsTheBytes() {
    BlobStore store = open();

    String sha = store.put(bytes("abc"));

    assertThat(sha).isEqualTo(ABC_SHA);
    assertThat(store.get(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("abc")));
    assertThat(store.exists(sha)).isTrue();
  }

  @Test
  void puttingTheSameBytesAgainReturnsTheSameName() {
    BlobStore store = open();
    String first = store.put(bytes("abc"));

    String second = store.put(bytes("abc"));

    assertThat(second).isEqualTo(first);
    assertThat(store.get(first)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("abc")));
  }

  @Test
  void emptyBlobIsStoredToo() {
    BlobStore store = open();

    String sha = store.put(new byte[0]);

    assertThat(sha).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(store.get(sha)).hasValueSatisfying(b -> assertThat(b).isEmpty());
  }

  @Test
  void aBlobOfSeveralMegabytesComesBackWhole() {
    BlobStore store = open();
    byte[] big = new byte[6 * 1024 * 1024 + 7];
    new Random(21).nextBytes(big);

    String sha = store.put(big);

    assertThat(store.get(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(big));
  }

  @Test
  void unknownBlobIsAbsent() {
    BlobStore store = open();

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
    BlobStore store = open();

    assertThatThrownBy(() -> store.get(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "blob name must be 64 lowercase hex digits (a SHA-256) but was \"" + name + "\"");
    assertThatThrownBy(() -> store.exists(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reopeningSeesEarlierBlobs() {
    String sha = open().put(bytes("durable"));

    assertThat(open().get(sha)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("durable")));
  }

  @Test
  void concurrentPutsOfTheSameBytesAllSucceed() throws Exception {
    BlobStore store = open();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> puts = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        puts.add(pool.submit(() -> store.put(bytes("raced"))));
      }
      for (Future<String> put : puts) {
        assertThat(put.get()).isEqualTo(puts.get(0).get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.get(BlobNames.sha256(bytes("raced"))))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("raced")));
  }

  @Test
  void sweepWithoutGraceDeletesOrphansButKeepsReferencedBlobs() {
    BlobStore store = open();
    String kept = store.put(bytes("kept"));
    String orphan = store.put(bytes("orphan"));

    int deleted = store.sweep(Set.of(kept), Duration.ZERO);

    assertThat(deleted).isEqualTo(1);
    assertThat(store.exists(kept)).isTrue();
    assertThat(store.exists(orphan)).isFalse();
    assertThat(store.sweep(Set.of(kept))).isZero();
  }

  @Test
  void sweepSparesOrphansYoungerThanTheGrace() throws Exception {
    BlobStore store = open();
    String kept = store.put(bytes("kept"));
    String young = store.put(bytes("row still being committed elsewhere"));
    String old = store.put(bytes("left by a crash two hours ago"));
    age(kept, Duration.ofHours(3));
    age(old, Duration.ofHours(2));

    int deleted = store.sweep(Set.of(kept), Duration.ofHours(1));

    assertThat(deleted).isEqualTo(1);
    assertThat(store.exists(old)).isFalse();
    assertThat(store.exists(young)).isTrue();
    assertThat(store.exists(kept)).isTrue();
  }

  @Test
  void puttingOldBytesAgainRenewsThemForTheGrace() throws Exception {
    BlobStore store = open();
    String sha = store.put(bytes("an old orphan that a new row is about to name"));
    age(sha, Duration.ofHours(2));

    store.put(bytes("an old orphan that a new row is about to name"));

    assertThat(store.sweep(Set.of(), Duration.ofHours(1))).isZero();
    assertThat(store.exists(sha)).isTrue();
  }

  @Test
  void aNegativeGraceIsRefused() {
    BlobStore store = open();

    assertThatThrownBy(() -> store.sweep(Set.of(), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grace must be zero or positive but was PT-1S");
  }

  @Test
  void locationSaysWhereTheBlobsAre() {
    assertThat(open().location()).isNotBlank();
  }
}
