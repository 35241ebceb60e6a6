package dev.atelier.store;

import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.internal.BlobNames;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Builders for the records the store tests write. */
final class Fixtures {
  static final Instant T0 = Instant.parse("2025-03-01T12:00:00.123456789Z");

  private Fixtures() {}

  /** An image whose sha256 is derived from its id, outside any session. */
  static StoredImage image(String id) {
    return image(id, "", "");
  }

  /** An image of {@code sessionId}, edited from {@code parentImageId}. */
  static StoredImage image(String id, String sessionId, String parentImageId) {
    return new StoredImage(
        id,
        BlobNames.sha256(id.getBytes(StandardCharsets.UTF_8)),
        "png",
        512,
        768,
        T0,
        sessionId,
        parentImageId,
        Map.of("engine", "fake", "seed", "42"));
  }

  /** An image outside any session, stored at {@code createdAt}. */
  static StoredImage imageAt(String id, Instant createdAt) {
    StoredImage i = image(id);
    return new StoredImage(
        id, i.sha256(), "png", 512, 768, createdAt, "", "", Map.of("engine", "fake"));
  }

  /** An EDIT round of {@code parentId} producing image {@code imageId}. */
  static Round edit(String id, String sessionId, String parentId, String imageId, int since) {
    return new Round(
        id,
        sessionId,
        parentId,
        Round.Kind.EDIT,
        imageId,
        "make it bluer (" + id + ")",
        Map.of("strength", "0.6", "steps", "20"),
        since,
        T0.plusSeconds(since));
  }

  /** The CREATE round of a session. */
  static Round root(String id, String sessionId, String imageId) {
    return new Round(
        id,
        sessionId,
        "",
        Round.Kind.CREATE,
        imageId,
        "a lighthouse at dusk",
        Map.of("seed", "7", "scheduler", "euler"),
        0,
        T0);
  }

  /** A new session {@code id} whose root round is {@code rootId} with image {@code imageId}. */
  static Session session(String id, String rootId, String imageId) {
    return new Session(id, T0, rootId, List.of(root(rootId, id, imageId)));
  }
}
