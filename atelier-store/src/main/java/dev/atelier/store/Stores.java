package dev.atelier.store;

import dev.atelier.store.internal.OwnerOnly;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens the configured stores: the one place that turns configuration into a {@link MetadataStore}
 * and a {@link BlobStore}.
 */
public final class Stores {
  /** The SQLite file used when no JDBC URL is configured, relative to the data folder. */
  public static final String SQLITE_FILE = "atelier.db";

  private Stores() {}

  /**
   * Opens the metadata store with the default pool settings and applies pending migrations.
   *
   * @see #open(Path, String, PoolSettings)
   */
  public static MetadataStore open(Path dataDir, String databaseUrl) {
    return open(dataDir, databaseUrl, PoolSettings.DEFAULTS);
  }

  /**
   * Opens the metadata store and applies pending migrations.
   *
   * @param dataDir the data folder (created if absent); holds the SQLite file when that is used
   * @param databaseUrl {@code ""} for SQLite at {@code <dataDir>/atelier.db}, or a PostgreSQL URL
   *     in any form {@link DatabaseUrl#parse} accepts
   * @param pool the PostgreSQL connection pool's settings (SQLite keeps one connection)
   * @throws IllegalArgumentException when {@code databaseUrl} is neither empty nor a PostgreSQL URL
   * @throws dev.atelier.core.AtelierException.StorageFailure when the database cannot be opened or
   *     migrated, or was written by a newer Atelier
   */
  public static MetadataStore open(Path dataDir, String databaseUrl, PoolSettings pool) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(databaseUrl, "databaseUrl");
    Objects.requireNonNull(pool, "pool");
    DatabaseUrl url = DatabaseUrl.parse(databaseUrl);
    if (!url.isPostgresql()) {
      return JdbcMetadataStore.openSqlite(dataDir.resolve(SQLITE_FILE));
    }
    return JdbcMetadataStore.openPostgresql(url, pool);
  }

  /**
   * Creates the data folder, owner-only (0700 on POSIX file systems), unless it exists.
   *
   * <p>Everything Atelier writes there is owner-only: folders 0700, the SQLite database with its
   * {@code -wal}/{@code -shm} files and the blobs 0600. An existing folder keeps its mode.
   *
   * @param dataDir the data folder
   * @return {@code dataDir}
   * @throws IOException when it cannot be created
   */
  public static Path createDataDir(Path dataDir) throws IOException {
    return OwnerOnly.createDirectories(dataDir);
  }

  /**
   * The blob store under {@code dataDir} ({@code <dataDir>/blobs/...}).
   *
   * @throws dev.atelier.core.AtelierException.StorageFailure when its folders cannot be created
   */
  public static BlobStore blobs(Path dataDir) {
    return new FileBlobStore(dataDir);
  }

  /**
   * The blob store {@code location} names: {@code ""} for files under {@code dataDir} ({@code
   * <dataDir>/blobs/...}), or {@code s3://BUCKET[/PREFIX]} for an S3-compatible store reached with
   * {@code s3}.
   *
   * @throws IllegalArgumentException when {@code location} is neither, or an S3 setting is
   *     malformed
   * @throws dev.atelier.core.AtelierException.StorageFailure when the folders cannot be created, or
   *     the bucket cannot be reached or used (the message says which, without secrets)
   */
  public static BlobStore blobs(Path dataDir, String location, S3Settings s3) {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(s3, "s3");
    if (location.isBlank()) {
      return blobs(dataDir);
    }
    if (!location.startsWith("s3://")) {
      throw new IllegalArgumentException(
          "blob store must be empty (files in the data folder) or s3://BUCKET[/PREFIX] but was '"
              + location
              + "'");
    }
    S3BlobStore.Builder b =
        S3BlobStore.builder(location).endpoint(s3.endpoint()).region(s3.region());
    if (s3.pathStyle() != S3Settings.PathStyle.AUTO) {
      b.pathStyle(s3.pathStyle() == S3Settings.PathStyle.ON);
    }
    if (!s3.accessKeyId().isEmpty()) {
      b.credentials(s3.accessKeyId(), s3.secretAccessKey(), s3.sessionToken());
    }
    return b.build();
  }

  // Query strings may carry passwords, and so may the userinfo of postgresql://user:pass@host; what
  // is left names the database well enough for a message.
  static String redact(String url) {
    int q = url.indexOf('?');
    String head = q < 0 ? url : url.substring(0, q);
    int scheme = head.indexOf("://");
    int at = head.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      head = head.substring(0, scheme + 3) + "****@" + head.substring(at + 1);
    }
    return q < 0 ? head : head + "?...";
  }
}
