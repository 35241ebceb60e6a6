package dev.atelier.cli;

import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --data-dir} and {@code --database-url}, resolved as {@code serve} resolves them, so that
 * {@code atelier keys} and a running server read the same database.
 */
final class StoreOptions {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where the database and images live. Default: $ATELIER_DATA_DIR or ~/.atelier.")
  Path dataDir;

  @Option(
      names = "--database-url",
      paramLabel = "JDBC",
      description =
          "PostgreSQL JDBC URL (default: SQLite in the data dir; also $ATELIER_DATABASE_URL).")
  String databaseUrl;

  /** The data folder: {@code --data-dir}, else $ATELIER_DATA_DIR, else {@code ~/.atelier}. */
  static Path dataDir(Path option) {
    return option != null ? option : ServeCommand.defaultDataDir();
  }

  /** The JDBC URL: {@code --database-url}, else $ATELIER_DATABASE_URL, else "" (SQLite). */
  static String databaseUrl(String option, Map<String, String> env) {
    return option != null ? option : env.getOrDefault("ATELIER_DATABASE_URL", "");
  }

  /** Opens (and migrates) the metadata store these options name, creating the data folder. */
  MetadataStore open(Map<String, String> env) throws java.io.IOException {
    Path data = dataDir(dataDir);
    Stores.createDataDir(data);
    return Stores.open(data, databaseUrl(databaseUrl, env));
  }
}
