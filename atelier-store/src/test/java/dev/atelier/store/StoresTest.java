package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the database from configuration. */
class StoresTest {
  @TempDir Path dataDir;

  @Test
  void emptyUrlMeansSqliteInTheDataFolder() {
    try (MetadataStore store = Stores.open(dataDir, "")) {
      assertThat(store.kind()).isEqualTo("sqlite");
    }
    assertThat(dataDir.resolve("atelier.db")).isRegularFile();
  }

  @Test
  void otherUrlsAreRejectedNamingWhatIsAccepted() {
    assertThatThrownBy(() -> Stores.open(dataDir, "jdbc:mysql://db/atelier?password=secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "database URL must be empty (SQLite in the data folder), jdbc:postgresql://...,"
                + " postgresql://... or postgres://... but was jdbc:mysql://db/atelier?...");
  }

  @Test
  void rejectedUrlsHideTheirUserinfo() {
    assertThatThrownBy(() -> Stores.open(dataDir, "mysql://bob:hunter2@db/atelier"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("but was mysql://****@db/atelier")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void blobsLiveUnderTheDataFolder() {
    BlobStore blobs = Stores.blobs(dataDir);
    String sha = blobs.put(new byte[] {1, 2, 3});

    assertThat(dataDir.resolve("blobs/sha256/" + sha.substring(0, 2) + "/" + sha)).isRegularFile();
  }
}
