package dev.atelier.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.core.AtelierException;
import dev.atelier.core.json.Json;
import dev.atelier.core.json.JsonValue;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.Stores;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's stored result keeps references to its images and reads back byte for byte. */
class StoredResultsTest {
  @TempDir Path dir;

  @Test
  void imagesBase64IsStoredAsAReferenceAndReadBackExactly() {
    try (MetadataStore metadata = Stores.open(dir, "")) {
      BlobStore blobs = Stores.blobs(dir);
      byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
      String sha = blobs.put(png);
      metadata.insertImage(
          new StoredImage("img_a1", sha, "png", 8, 8, Instant.now(), "", "", Map.of()));
      String b64 = Base64.getEncoder().encodeToString(png);
      String body =
          "{\"created\":1,\"data\":[{\"b64_json\":\""
              + b64
              + "\",\"id\":\"img_a1\",\"seed\":3}],\"warnings\":[]}";

      JsonValue.Obj compact = StoredResults.compact(Json.parse(body).asObject());

      assertThat(Json.write(compact)).doesNotContain(b64).contains("\"atelier_image\":\"img_a1\"");
      assertThat(Json.write(StoredResults.expand(compact, metadata, blobs))).isEqualTo(body);
      // A URL answer has nothing to replace.
      String urls =
          "{\"data\":[{\"url\":\"http://x/v1/images/img_a1/content\",\"id\":\"img_a1\"}]}";
      assertThat(Json.write(StoredResults.compact(Json.parse(urls).asObject()))).isEqualTo(urls);
    }
  }

  @Test
  void aMissingImageIsAStorageFailureNotAWrongAnswer() {
    try (MetadataStore metadata = Stores.open(dir, "")) {
      JsonValue ref = Json.parse("{\"b64_json\":{\"atelier_image\":\"img_gone\"}}");
      assertThatThrownBy(() -> StoredResults.expand(ref, metadata, Stores.blobs(dir)))
          .isInstanceOf(AtelierException.StorageFailure.class)
          .hasMessageContaining("img_gone");
    }
  }
}
