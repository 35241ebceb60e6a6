package dev.atelier.server.http;

import dev.atelier.core.json.JsonValue;
import dev.atelier.store.BlobStore;
import dev.atelier.store.MetadataStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's result as its row keeps it: the images' {@code b64_json} (megabytes each, already in the
 * blob store) replaced by a reference to the stored image, and put back when the result is read.
 *
 * <p>In the row, an entry {@code {"id": "img_...", "b64_json": "<base64>"}} keeps {@code
 * "b64_json": {"atelier_image": "img_..."}}; reading it back encodes that image's stored bytes,
 * which are exactly the bytes the answer carried, so the waiting call, {@code GET /v1/jobs/{id}}
 * and an idempotent replay all answer the same body. No answer of the API has an object with that
 * one member, so the reference cannot be mistaken for data.
 */
final class StoredResults {
  private static final String REFERENCE = "atelier_image";

  private StoredResults() {}

  /** {@code body} with each stored image's {@code b64_json} replaced by its reference. */
  static JsonValue.Obj compact(JsonValue.Obj body) {
    return (JsonValue.Obj) compact((JsonValue) body);
  }

  private static JsonValue compact(JsonValue v) {
    return switch (v) {
      case JsonValue.Obj o -> {
        Map<String, JsonValue> m = new LinkedHashMap<>();
        String id = o.string("id", "");
        boolean image =
            id.startsWith("img_") && o.get("b64_json").orElse(null) instanceof JsonValue.Str;
        o.members()
            .forEach(
                (k, x) -> {
                  if (image && k.equals("b64_json")) {
                    m.put(k, new JsonValue.Obj(Map.of(REFERENCE, new JsonValue.Str(id))));
                  } else {
                    m.put(k, compact(x));
                  }
                });
        yield new JsonValue.Obj(m);
      }
      case JsonValue.Arr a -> {
        List<JsonValue> items = new ArrayList<>();
        a.items().forEach(i -> items.add(compact(i)));
        yield new JsonValue.Arr(items);
      }
      default -> v;
    };
  }

  /** {@code v} with every image reference replaced by the image's bytes in base64. */
  static JsonValue expand(JsonValue v, MetadataStore metadata, BlobStore blobs) {
    return switch (v) {
      case JsonValue.Obj o -> {
        if (o.members().size() == 1 && o.get(REFERENCE).orElse(null) instanceof JsonValue.Str s) {
          yield new JsonValue.Str(
              Base64.getEncoder().encodeToString(bytes(s.value(), metadata, blobs)));
        }
        Map<String, JsonValue> m = new LinkedHashMap<>();
        o.members().forEach((k, x) -> m.put(k, expand(x, metadata, blobs)));
        yield new JsonValue.Obj(m);
      }
      case JsonValue.Arr a -> {
        List<JsonValue> items = new ArrayList<>();
        a.items().forEach(i -> items.add(expand(i, metadata, blobs)));
        yield new JsonValue.Arr(items);
      }
      default -> v;
    };
  }

  private static byte[] bytes(String imageId, MetadataStore metadata, BlobStore blobs) {
    return metadata
        .image(imageId)
        .flatMap(i -> blobs.get(i.sha256()))
        .orElseThrow(
            () ->
                new dev.atelier.core.AtelierException.StorageFailure(
                    "the bytes of " + imageId + ", an image of a job's result, are missing", null));
  }
}
