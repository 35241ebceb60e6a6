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

  @Test
  void anEmptyBlobLocationMeansFilesInTheDataFolder() {
    try (BlobStore blobs = Stores.blobs(dataDir, "", S3Settings.DEFAULT)) {
      assertThat(blobs).isInstanceOf(FileBlobStore.class);
    }
  }

  @Test
  void otherBlobLocationsAreRejectedNamingWhatIsAccepted() {
    assertThatThrownBy(() -> Stores.blobs(dataDir, "gs://bucket/x", S3Settings.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "blob store must be empty (files in the data folder) or s3://BUCKET[/PREFIX] but was"
                + " 'gs://bucket/x'");
  }

  @Test
  void s3SettingsComeFromTheStandardAwsVariablesAndNeverShowTheSecret() {
    S3Settings s =
        S3Settings.fromEnvironment(
            java.util.Map.of(
                "AWS_ENDPOINT_URL", "http://fallback:9000",
                "AWS_ENDPOINT_URL_S3", "http://minio:9000",
                "AWS_DEFAULT_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG"));

    assertThat(s)
        .isEqualTo(
            new S3Settings(
                "http://minio:9000",
                S3Settings.PathStyle.AUTO,
                "eu-west-1",
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG",
                ""));
    assertThat(s.toString()).doesNotContain("wJalrXUtnFEMI");
    assertThat(S3Settings.fromEnvironment(java.util.Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")))
        .isEqualTo(S3Settings.DEFAULT);
  }
}
