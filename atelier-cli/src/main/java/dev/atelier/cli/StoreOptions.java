package dev.atelier.cli;

import dev.atelier.store.DatabaseUrl;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.PoolSettings;
import dev.atelier.store.Stores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --data-dir}, {@code --database-url} and the PostgreSQL pool flags, resolved as {@code
 * serve} resolves them, so that {@code atelier keys} and a running server read the same database.
 */
final class StoreOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where the database and images live. Default: $ATELIER_DATA_DIR or ~/.atelier.")
  Path dataDir;

  @Option(
      names = "--database-url",
      paramLabel = "URL",
      description =
          "PostgreSQL: jdbc:postgresql://HOST:PORT/DB?... or postgresql://USER:PASSWORD@HOST:PORT/DB"
              + "?sslmode=require as providers print it (default: SQLite in the data dir; also"
              + " $ATELIER_DATABASE_URL).")
  String databaseUrl;

  @Option(
      names = "--db-pool-size",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "PostgreSQL connections this process keeps at most; calls beyond it wait."
              + " Default: ${DEFAULT-VALUE}.")
  int poolSize;

  @Option(
      names = "--db-connection-timeout",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "How long a call waits for a PostgreSQL connection (pool or server) before it fails."
              + " Default: ${DEFAULT-VALUE}.")
  long connectionTimeoutSeconds;

  /** The data folder: {@code --data-dir}, else $ATELIER_DATA_DIR, else {@code ~/.atelier}. */
  static Path dataDir(Path option) {
    return option != null ? option : ServeCommand.defaultDataDir();
  }

  /** The database URL: {@code --database-url}, else $ATELIER_DATABASE_URL, else "" (SQLite). */
  static String databaseUrl(String option, Map<String, String> env) {
    return option != null ? option : env.getOrDefault("ATELIER_DATABASE_URL", "");
  }

  /**
   * The database URL, parsed.
   *
   * @throws ParameterException when it has no form Atelier reads (the message masks the password)
   */
  DatabaseUrl parsedUrl(Map<String, String> env) {
    try {
      return DatabaseUrl.parse(databaseUrl(databaseUrl, env));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--database-url: " + e.getMessage());
    }
  }

  /**
   * The pool settings the flags set.
   *
   * @throws ParameterException naming the flag out of range
   */
  PoolSettings pool() {
    if (poolSize < 1 || poolSize > 1000) {
      throw new ParameterException(
          spec.commandLine(), "--db-pool-size must be 1..1000 but was " + poolSize);
    }
    if (connectionTimeoutSeconds < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "--db-connection-timeout must be at least 1 but was " + connectionTimeoutSeconds);
    }
    return PoolSettings.DEFAULTS
        .withSize(poolSize)
        .withConnectionTimeout(Duration.ofSeconds(connectionTimeoutSeconds));
  }

  /** Opens (and migrates) the metadata store these options name, creating the data folder. */
  MetadataStore open(Map<String, String> env) throws java.io.IOException {
    Path data = dataDir(dataDir);
    Stores.createDataDir(data);
    parsedUrl(env);
    return Stores.open(data, databaseUrl(databaseUrl, env), pool());
  }
}
