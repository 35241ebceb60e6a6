package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Parsing {@code --database-url} in the forms operators copy, with the password kept out. */
class DatabaseUrlTest {
  @Test
  void emptyMeansSqlite() {
    assertThat(DatabaseUrl.parse("  ")).isEqualTo(DatabaseUrl.SQLITE);
    assertThat(DatabaseUrl.SQLITE.isPostgresql()).isFalse();
  }

  @Test
  void providerFormBecomesJdbcWithDecodedCredentials() {
    DatabaseUrl url =
        DatabaseUrl.parse(
            "postgresql://ops%40acme:p%40ss%3Aw%2Frd+1@db.example.com:6543/atelier"
                + "?sslmode=require");

    assertThat(url.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.example.com:6543/atelier?sslmode=require");
    assertThat(url.user()).isEqualTo("ops@acme");
    assertThat(url.password()).isEqualTo("p@ss:w/rd+1");
    assertThat(url.masked())
        .isEqualTo("postgresql://ops%40acme:****@db.example.com:6543/atelier?sslmode=require");
    assertThat(url.toString()).isEqualTo(url.masked());
  }

  @Test
  void postgresSchemeAndDefaultsWork() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://atelier@db/prod");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db/prod");
    assertThat(url.user()).isEqualTo("atelier");
    assertThat(url.password()).isEmpty();
    assertThat(url.masked()).isEqualTo("postgres://atelier@db/prod");
  }

  @Test
  void anUnencodedAtInThePasswordEndsAtTheLastAt() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://bob:a@b@db:5432/x");

    assertThat(url.password()).isEqualTo("a@b");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/x");
    assertThat(url.masked()).isEqualTo("postgresql://bob:****@db:5432/x");
  }

  @Test
  void jdbcFormKeepsItsParametersButNotItsCredentials() {
    DatabaseUrl url =
        DatabaseUrl.parse(
            "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=s%26cret"
                + "&currentSchema=a");

    assertThat(url.jdbcUrl())
        .isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres?currentSchema=a");
    assertThat(url.user()).isEqualTo("postgres");
    assertThat(url.password()).isEqualTo("s&cret");
    assertThat(url.masked())
        .isEqualTo(
            "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=****"
                + "&currentSchema=a");
  }

  @Test
  void jdbcFormWithoutQueryIsKeptAsIs() {
    DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://db/atelier");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db/atelier");
    assertThat(url.masked()).isEqualTo("jdbc:postgresql://db/atelier");
  }

  @Test
  void otherSchemesAreRefusedWithoutTheirPassword() {
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://root:topsecret@db/x?password=more"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "database URL must be empty (SQLite in the data folder), jdbc:postgresql://...,"
                + " postgresql://... or postgres://... but was mysql://****@db/x?...");
  }
}
