package dev.atelier.store.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Opens a new, unpooled connection per call, configured for its dialect: what Flyway migrates
 * through, so that migrations need no connection from the store's pool.
 */
public final class DriverDataSource implements DataSource {
  private final String url;
  private final Properties properties;
  private final Dialect dialect;

  /**
   * Creates a data source.
   *
   * @param url the JDBC URL, without credentials
   * @param user the user, {@code ""} for none
   * @param password the password, {@code ""} for none
   */
  public DriverDataSource(String url, String user, String password, Dialect dialect) {
    this.url = url;
    this.dialect = dialect;
    this.properties = dialect.connectionProperties();
    if (!user.isEmpty()) {
      properties.setProperty("user", user);
    }
    if (!password.isEmpty()) {
      properties.setProperty("password", password);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c = DriverManager.getConnection(url, properties);
    try {
      dialect.configure(c);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("credentials come from the database URL");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // Not used: drivers log through their own loggers.
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // Not used: pgjdbc takes connectTimeout from the URL or properties.
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    throw new SQLException("not a wrapper for " + type.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return type.isInstance(this);
  }
}
