package dev.atelier.core.session;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One stored image: its bytes live in the blob store under {@code sha256}, this row says what it is
 * and where it came from.
 *
 * @param id server-generated id ({@code img_...}); never taken from a client
 * @param sha256 lowercase hex digest of the stored bytes (the blob's name)
 * @param format {@code png}, {@code jpeg} or {@code webp}
 * @param width pixels
 * @param height pixels
 * @param createdAt when it was stored
 * @param sessionId the session it belongs to, or {@code ""}
 * @param parentImageId the image it was edited from, or {@code ""}
 * @param provenance engine, model, seed, scheduler, steps, prompt, instruction, mask id, timings...
 * @param owner who made it (the owner of the API key), {@code ""} for a server without keys
 */
public record StoredImage(
    String id,
    String sha256,
    String format,
    int width,
    int height,
    Instant createdAt,
    String sessionId,
    String parentImageId,
    Map<String, String> provenance,
    String owner) {

  /** Validates and copies. */
  public StoredImage {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(parentImageId, "parentImageId");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "sha256 must be 64 lowercase hex digits but was " + sha256);
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException(
          "width and height must be >= 1 but were " + width + "x" + height);
    }
    provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
  }

  /** An image of the empty owner, as a server without keys stores it. */
  public StoredImage(
      String id,
      String sha256,
      String format,
      int width,
      int height,
      Instant createdAt,
      String sessionId,
      String parentImageId,
      Map<String, String> provenance) {
    this(id, sha256, format, width, height, createdAt, sessionId, parentImageId, provenance, "");
  }

  /** This image recorded as made by {@code owner}. */
  public StoredImage withOwner(String owner) {
    return new StoredImage(
        id, sha256, format, width, height, createdAt, sessionId, parentImageId, provenance, owner);
  }
}
