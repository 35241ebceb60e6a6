package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.server.images.BlobSweeper;
import dev.atelier.store.BlobStore;
import dev.atelier.store.FileBlobStore;
import dev.atelier.store.JdbcMetadataStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily sweep of a running server: old orphans go, young ones stay (another node may be
 * committing their rows), and of several processes on one database only one sweeps a day.
 */
class BlobSweeperTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));

  @Test
  void oneSqliteServerSweepsOldOrphansOnceADay() throws IOException {
    try (MetadataStore db = JdbcMetadataStore.openSqlite(dir.resolve("atelier.db"))) {
      BlobStore blobs = new FileBlobStore(dir);
      BlobSweeper sweeper = new BlobSweeper(db, blobs, Duration.ZERO, clock);
      assertThat(sweeper.grace())
          .as("a running server keeps at least an hour: a job's blobs precede its row")
          .isEqualTo(BlobStore.SHARED_SWEEP_GRACE);
      String old = blobs.put(new byte[] {1, 2, 3});
      String young = blobs.put(new byte[] {4, 5, 6});
      age(old, Duration.ofHours(2));

      assertThat(sweeper.sweepIfDue()).isEqualTo(1);
      assertThat(blobs.exists(old)).isFalse();
      assertThat(blobs.exists(young)).isTrue();

      age(young, Duration.ofHours(2));
      clock.advance(Duration.ofHours(13)); // 23:00, the same UTC day
      assertThat(sweeper.sweepIfDue()).as("already swept today").isEqualTo(-1);
      assertThat(blobs.exists(young)).isTrue();

      clock.advance(Duration.ofHours(2)); // 01:00 the next day
      assertThat(sweeper.sweepIfDue()).isEqualTo(1);
      assertThat(blobs.exists(young)).isFalse();
    }
  }

  @Test
  void ofNodesOnOnePostgresqlOnlyOneSweepsADay() throws Exception {
    try (TestPostgres pg = TestPostgres.schema();
        MetadataStore a = JdbcMetadataStore.openPostgresql(pg.url());
        MetadataStore b = JdbcMetadataStore.openPostgresql(pg.url())) {
      BlobStore blobs = new FileBlobStore(dir); // one shared store, as an S3 bucket is
      BlobSweeper first = new BlobSweeper(a, blobs, Duration.ofHours(1), clock);
      BlobSweeper second = new BlobSweeper(b, blobs, Duration.ofHours(1), clock);
      String orphan = blobs.put(new byte[] {7});
      age(orphan, Duration.ofHours(3));

      int[] results = {second.sweepIfDue(), first.sweepIfDue(), second.sweepIfDue()};
      assertThat(results).containsExactly(1, -1, -1);
      assertThat(blobs.exists(orphan)).isFalse();

      clock.advance(Duration.ofDays(1));
      assertThat(first.sweepIfDue()).isZero();
      assertThat(second.sweepIfDue()).isEqualTo(-1);
    }
  }

  /** Makes blob {@code sha}'s file look written {@code ago}. */
  private void age(String sha, Duration ago) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      Path file =
          files.filter(p -> p.getFileName().toString().equals(sha)).findFirst().orElseThrow();
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(ago)));
    }
  }
}
