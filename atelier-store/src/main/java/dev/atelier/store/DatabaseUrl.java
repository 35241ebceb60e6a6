package dev.atelier.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the metadata lives, parsed from {@code --database-url}: SQLite in the data folder, or a
 * PostgreSQL server.
 *
 * <p>PostgreSQL accepts the JDBC form ({@code jdbc:postgresql://host:port/db?...}) and the form
 * providers print ({@code postgresql://user:pass@host:port/db?sslmode=require}, also {@code
 * postgres://}). User and password are taken out of the URL (the userinfo, or {@code user=} and
 * {@code password=} query parameters) and percent-decoded, so that {@link #jdbcUrl()} can appear in
 * messages. {@link #toString()} and {@link #masked()} show the URL with the password as {@code
 * ****}; the password itself is only in {@link #password()}.
 *
 * @param jdbcUrl {@code ""} for SQLite, else a {@code jdbc:postgresql:} URL without credentials
 * @param user the user name, {@code ""} when the URL names none
 * @param password the password, {@code ""} when the URL names none
 * @param masked the URL as given, with the password replaced by {@code ****}
 */
public record DatabaseUrl(String jdbcUrl, String user, String password, String masked) {
  /** SQLite in the data folder (an empty {@code --database-url}). */
  public static final DatabaseUrl SQLITE = new DatabaseUrl("", "", "", "");

  private static final String JDBC = "jdbc:postgresql:";
  private static final String MASK = "****";

  /** Checks the parts are present and that no credential is left in {@code jdbcUrl}. */
  public DatabaseUrl {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(masked, "masked");
    if (!jdbcUrl.isEmpty() && !jdbcUrl.startsWith(JDBC)) {
      throw new IllegalArgumentException(
          "jdbcUrl must be empty or start with " + JDBC + " but was " + Stores.redact(jdbcUrl));
    }
  }

  /**
   * Parses a database URL.
   *
   * @param url {@code ""} (SQLite), {@code jdbc:postgresql:...}, {@code postgresql://...} or {@code
   *     postgres://...}
   * @throws IllegalArgumentException when the URL has another form; the message shows it masked
   */
  public static DatabaseUrl parse(String url) {
    Objects.requireNonNull(url, "url");
    String trimmed = url.strip();
    if (trimmed.isEmpty()) {
      return SQLITE;
    }
    if (trimmed.startsWith(JDBC)) {
      return fromJdbc(trimmed);
    }
    for (String scheme : List.of("postgresql://", "postgres://")) {
      if (trimmed.startsWith(scheme)) {
        return fromProvider(trimmed, scheme);
      }
    }
    throw new IllegalArgumentException(
        "database URL must be empty (SQLite in the data folder), jdbc:postgresql://...,"
            + " postgresql://... or postgres://... but was "
            + Stores.redact(trimmed));
  }

  /** Whether this names PostgreSQL (else SQLite in the data folder). */
  public boolean isPostgresql() {
    return !jdbcUrl.isEmpty();
  }

  /** The URL with the password masked; safe for logs and banners. */
  @Override
  public String toString() {
    return masked;
  }

  private static DatabaseUrl fromJdbc(String url) {
    int q = url.indexOf('?');
    if (q < 0) {
      return new DatabaseUrl(url, "", "", url);
    }
    Query query = Query.split(url.substring(q + 1));
    String base = url.substring(0, q);
    return new DatabaseUrl(
        query.kept.isEmpty() ? base : base + "?" + query.kept,
        query.user,
        query.password,
        base + "?" + query.masked);
  }

  // postgresql://[user[:password]@][host][:port][/db][?params]; several hosts (h1:p1,h2:p2) pass
  // through, since pgjdbc reads the same list.
  private static DatabaseUrl fromProvider(String url, String scheme) {
    String rest = url.substring(scheme.length());
    int q = rest.indexOf('?');
    String params = q < 0 ? "" : rest.substring(q + 1);
    String beforeQuery = q < 0 ? rest : rest.substring(0, q);
    int slash = beforeQuery.indexOf('/');
    String authority = slash < 0 ? beforeQuery : beforeQuery.substring(0, slash);
    String path = slash < 0 ? "/" : beforeQuery.substring(slash);
    // The last @ ends the userinfo: an unencoded @ in a password is common in copied URLs.
    int at = authority.lastIndexOf('@');
    String user = "";
    String password = "";
    String maskedInfo = "";
    if (at >= 0) {
      String info = authority.substring(0, at);
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? "" : decode(info.substring(colon + 1));
      maskedInfo = (colon < 0 ? info : info.substring(0, colon) + ":" + MASK) + "@";
      authority = authority.substring(at + 1);
    }
    Query query = Query.split(params);
    if (!query.user.isEmpty()) {
      user = query.user;
    }
    if (!query.password.isEmpty()) {
      password = query.password;
    }
    String jdbc = JDBC + "//" + authority + path + (query.kept.isEmpty() ? "" : "?" + query.kept);
    String masked =
        scheme
            + maskedInfo
            + authority
            + (slash < 0 ? "" : path)
            + (params.isEmpty() ? "" : "?" + query.masked);
    return new DatabaseUrl(jdbc, user, password, masked);
  }

  private static String decode(String s) {
    // URLDecoder would turn '+' into a space, which is form encoding, not URL userinfo encoding.
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** A query string with user and password taken out. */
  private record Query(String kept, String masked, String user, String password) {
    static Query split(String query) {
      List<String> kept = new ArrayList<>();
      List<String> masked = new ArrayList<>();
      String user = "";
      String password = "";
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        switch (name) {
          case "user" -> {
            user = decode(value);
            masked.add(pair);
          }
          case "password" -> {
            password = decode(value);
            masked.add("password=" + MASK);
          }
          default -> {
            kept.add(pair);
            masked.add(pair);
          }
        }
      }
      return new Query(String.join("&", kept), String.join("&", masked), user, password);
    }
  }
}
