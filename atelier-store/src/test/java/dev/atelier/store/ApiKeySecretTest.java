package dev.atelier.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeySecretTest {
  @Test
  void aSecretIsAtlAnd43Base62CharactersAndNeverRepeats() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String s = ApiKeySecret.generate().reveal();
      assertThat(s).matches("atl_[0-9A-Za-z]{43}");
      assertThat(seen.add(s)).isTrue();
    }
  }

  @Test
  void theHashIsHexSha256AndToStringShowsOnlyThePrefix() {
    ApiKeySecret secret = ApiKeySecret.generate();

    assertThat(secret.hash())
        .matches("[0-9a-f]{64}")
        .isEqualTo(ApiKeySecret.hashOf(secret.reveal()));
    assertThat(ApiKeySecret.hashOf("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(secret.toString())
        .doesNotContain(secret.reveal())
        .startsWith("atl_" + secret.prefix());
    assertThat(secret.prefix()).isEqualTo(secret.reveal().substring(4, 12));
    assertThat(ApiKeySecret.prefixOf(secret.reveal())).isEqualTo(secret.prefix());
    assertThat(ApiKeySecret.prefixOf("sk-123")).isEmpty();
  }

  @Test
  void hashesCompareByContent() {
    String h = ApiKeySecret.hashOf("x");
    assertThat(ApiKeySecret.sameHash(h, ApiKeySecret.hashOf("x"))).isTrue();
    assertThat(ApiKeySecret.sameHash(h, ApiKeySecret.hashOf("y"))).isFalse();
  }

  @Test
  void badKeyValuesAreRefusedSayingWhatWasExpected() {
    assertThatThrownBy(
            () ->
                ApiKey.issue("al ice", "", ApiKey.DEFAULT_SCOPES, 0, 0, 0, java.time.Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "name must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or"
                + " digit, but was 'al ice'");
    assertThatThrownBy(
            () -> ApiKey.issue("a", "", Set.of("images", "root"), 0, 0, 0, java.time.Instant.EPOCH))
        .hasMessage("scopes must be among admin, images, sessions but included 'root'");
    assertThatThrownBy(
            () -> ApiKey.issue("a", "", ApiKey.DEFAULT_SCOPES, -1, 0, 0, java.time.Instant.EPOCH))
        .hasMessage("requestsPerMinute must be >= 0 (0 = none) but was -1");
  }
}
