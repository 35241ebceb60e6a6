package dev.atelier.server;

import dev.atelier.core.GeneratedImage;
import dev.atelier.core.image.ImageCodec;
import dev.atelier.core.session.Ids;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.BlobStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes produced images and stores their bytes durably; the rows are written by the caller in the
 * same transaction as whatever else references them (a session round), after the blob.
 */
final class Library {
  private final BlobStore blobs;

  Library(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** How to encode results. */
  record Output(String format, int compression) {
    Output {
      if (compression < 0 || compression > 100) {
        throw new IllegalArgumentException(
            "output_compression must be 0..100 but was " + compression);
      }
    }

    static final Output PNG = new Output("png", 100);
  }

  /** Encoded bytes plus the row describing them (not yet inserted). */
  record Saved(StoredImage row, byte[] bytes) {}

  /**
   * Encodes {@code image} (PNG with provenance text, or JPEG), writes the blob durably, and builds
   * its row.
   */
  Saved save(
      GeneratedImage image,
      Output output,
      String sessionId,
      String parentImageId,
      Map<String, String> extraProvenance) {
    Map<String, String> provenance = new LinkedHashMap<>(image.parameters());
    provenance.putAll(extraProvenance);
    byte[] bytes =
        output.format().equals("jpeg")
            ? ImageCodec.encodeJpeg(image.image(), output.compression() / 100f)
            : ImageCodec.encodePng(image.image(), textChunks(provenance));
    String sha = blobs.put(bytes);
    StoredImage row =
        new StoredImage(
            Ids.newId("img"),
            sha,
            output.format(),
            image.image().width(),
            image.image().height(),
            Instant.now(),
            sessionId,
            parentImageId,
            provenance);
    return new Saved(row, bytes);
  }

  private static Map<String, String> textChunks(Map<String, String> provenance) {
    Map<String, dev.atelier.core.json.JsonValue> json = new LinkedHashMap<>();
    provenance.forEach((k, v) -> json.put(k, new dev.atelier.core.json.JsonValue.Str(v)));
    Map<String, String> chunks = new LinkedHashMap<>();
    chunks.put(
        "atelier", dev.atelier.core.json.Json.write(new dev.atelier.core.json.JsonValue.Obj(json)));
    chunks.put("Software", "Atelier");
    return chunks;
  }
}
