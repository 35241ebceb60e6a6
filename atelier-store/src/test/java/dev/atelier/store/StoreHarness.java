package dev.atelier.store;

import static dev.atelier.store.Fixtures.edit;
import static dev.atelier.store.Fixtures.image;
import static dev.atelier.store.Fixtures.session;

import dev.atelier.core.session.Session;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Opens and closes the stores a {@link MetadataStoreContract} test uses, and reads the database
 * behind their back.
 *
 * <p>The store is opened lazily, after the subclass's own set-up has prepared the database.
 */
abstract class StoreHarness {
  private final List<MetadataStore> opened = new ArrayList<>();
  private MetadataStore store;

  /** Opens a store; successive calls in one test open the same database. */
  protected abstract MetadataStore openStore();

  /** A plain JDBC connection to the same database, for checks behind the store's back. */
  protected abstract Connection rawConnection() throws SQLException;

  /** What {@link MetadataStore#kind()} must say. */
  protected abstract String expectedKind();

  /** The test's store, opened on first use. */
  protected final MetadataStore store() {
    if (store == null) {
      store = reopen();
    }
    return store;
  }

  /** Opens another store on the same database, closed after the test. */
  protected final MetadataStore reopen() {
    MetadataStore s = openStore();
    opened.add(s);
    return s;
  }

  /** Closes every store this test opened. */
  @AfterEach
  protected void closeStores() {
    opened.forEach(MetadataStore::close);
    opened.clear();
    store = null;
  }

  /** The single number {@code sql} selects. */
  protected final long count(String sql) throws SQLException {
    try (Connection c = rawConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Session ses_1: root rnd_0 and edits rnd_1..rnd_3 in a chain, head rnd_3. */
  protected final Session threeRoundSession() {
    store().createSession(session("ses_1", "rnd_0", "img_0"), image("img_0", "ses_1", ""));
    for (int i = 1; i <= 3; i++) {
      store()
          .addRound(
              image("img_" + i, "ses_1", "img_" + (i - 1)),
              edit("rnd_" + i, "ses_1", "rnd_" + (i - 1), "img_" + i, i));
    }
    return store().session("ses_1").orElseThrow();
  }
}
