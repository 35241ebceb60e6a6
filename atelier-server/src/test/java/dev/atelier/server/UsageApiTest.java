package dev.atelier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.StoredImage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/usage}: each owner sees what their images cost upstream; an admin sees all. */
class UsageApiTest {
  @TempDir Path dir;
  ServerFixture f;

  @BeforeEach
  void start() {
    f = ServerFixture.withTestCallers(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** An image the openai engine made, with the upstream's usage recorded as it records it. */
  void billed(String id, String owner, int input, int output) {
    f.metadata.insertImage(
        new StoredImage(
            id,
            "a".repeat(63) + id.charAt(id.length() - 1),
            "png",
            64,
            64,
            Instant.now(),
            "",
            "",
            Map.of(
                "engine", "openai",
                "model", "gpt-image-x",
                "usage.input_tokens", Integer.toString(input),
                "usage.input_text_tokens", Integer.toString(input),
                "usage.output_tokens", Integer.toString(output),
                "usage.total_tokens", Integer.toString(input + output)),
            owner));
  }

  @Test
  void eachOwnerSeesTheirOwnSpendAndAnAdminSeesEveryOwners() throws Exception {
    billed("img_alice0000000000000001", "alice", 10, 100);
    billed("img_alice0000000000000002", "alice", 20, 200);
    billed("img_bob000000000000000003", "bob", 5, 50);

    JsonValue.Obj alice = f.as("alice", "GET", "/v1/usage", "").json();
    assertThat(alice.string("owner", "")).isEqualTo("alice");
    assertThat(alice.number("images", -1)).isEqualTo(2);
    assertThat(alice.object("usage").orElseThrow().number("total_tokens", -1)).isEqualTo(330);
    // No price for the model: the cost is unknown and the answer says why.
    assertThat(alice.get("cost_usd")).contains(JsonValue.Null.INSTANCE);
    assertThat(alice.string("cost_note", "")).contains("gpt-image-x");
    assertThat(alice.has("owners")).isFalse();

    JsonValue.Obj bob = f.as("bob", "GET", "/v1/usage", "").json();
    assertThat(bob.object("usage").orElseThrow().number("total_tokens", -1)).isEqualTo(55);

    ServerFixture.Reply peek = f.as("alice", "GET", "/v1/usage?owner=bob", "");
    assertThat(peek.status()).isEqualTo(404);
    assertThat(f.as("alice", "GET", "/v1/usage?owner=alice", "").status()).isEqualTo(200);

    JsonValue.Obj admin = f.as("admin", "GET", "/v1/usage", "").json();
    assertThat(admin.get("owner")).contains(JsonValue.Null.INSTANCE);
    assertThat(admin.object("usage").orElseThrow().number("total_tokens", -1)).isEqualTo(385);
    assertThat(admin.array("owners"))
        .extracting(o -> ((JsonValue.Obj) o).string("owner", ""))
        .containsExactly("alice", "bob");
    assertThat(f.as("admin", "GET", "/v1/usage?owner=bob", "").json().number("images", -1))
        .isEqualTo(1);
  }
}
