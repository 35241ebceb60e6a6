package dev.atelier.core.session;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One node of a session's round tree: the image a round produced and how.
 *
 * @param id server-generated id ({@code rnd_...})
 * @param sessionId the session
 * @param parentId the round this one edited, or {@code ""} for a root (the first image, or a
 *     restart, which starts a new root-like chain but records the round it consolidated in {@code
 *     params.consolidated_from})
 * @param kind how the round was made
 * @param imageId the image the round produced
 * @param instruction the round's instruction (for {@link Kind#CREATE} the prompt)
 * @param params the generation parameters used (seed, steps, scheduler, strength, ...)
 * @param roundsSinceRestart 0 for CREATE and RESTART, parent's + 1 for EDIT
 * @param createdAt when it was made
 */
public record Round(
    String id,
    String sessionId,
    String parentId,
    Kind kind,
    String imageId,
    String instruction,
    Map<String, String> params,
    int roundsSinceRestart,
    Instant createdAt) {

  /** How a round came to be. */
  public enum Kind {
    /** The session's first image (generated from a prompt, or uploaded). */
    CREATE,
    /** An edit of the parent round's image. */
    EDIT,
    /** A consolidation: regenerated from the first image with the path's instructions merged. */
    RESTART
  }

  /** Validates and copies. */
  public Round {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(parentId, "parentId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(instruction, "instruction");
    Objects.requireNonNull(createdAt, "createdAt");
    if (roundsSinceRestart < 0) {
      throw new IllegalArgumentException(
          "roundsSinceRestart must be >= 0 but was " + roundsSinceRestart);
    }
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }
}
