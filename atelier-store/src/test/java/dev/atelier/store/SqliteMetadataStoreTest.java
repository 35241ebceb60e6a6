package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite in a temp folder, plus SQLite's own settings. */
class SqliteMetadataStoreTest extends MetadataStoreContract {
  @TempDir Path dataDir;

  @Override
  protected MetadataStore openStore() {
    return Stores.open(dataDir, "");
  }

  @Override
  protected Connection rawConnection() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(Stores.SQLITE_FILE));
  }

  @Override
  protected String expectedKind() {
    return "sqlite";
  }

  @Test
  void databaseLivesInTheDataFolderInWalMode() throws SQLException {
    store();

    assertThat(dataDir.resolve("atelier.db")).isRegularFile();
    try (Connection c = rawConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void dataFolderIsCreatedWhenMissing() {
    Path nested = dataDir.resolve("a/b");
    try (MetadataStore s = Stores.open(nested, "")) {
      assertThat(s.kind()).isEqualTo("sqlite");
    }
    assertThat(nested.resolve("atelier.db")).isRegularFile();
  }
}
