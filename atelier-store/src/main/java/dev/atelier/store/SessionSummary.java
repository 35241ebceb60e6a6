package dev.atelier.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What a listing says about a session without loading its round tree.
 *
 * @param id the session's id ({@code ses_...})
 * @param createdAt when it was created
 * @param prompt its first round's instruction: the prompt it was generated from, or {@code ""} for
 *     a session started from an image
 * @param headRoundId the round its head is at
 * @param headImageId that round's image
 * @param roundCount how many rounds it holds, at least 1
 */
public record SessionSummary(
    String id,
    Instant createdAt,
    String prompt,
    String headRoundId,
    String headImageId,
    int roundCount) {

  /** Validates the values. */
  public SessionSummary {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(headRoundId, "headRoundId");
    Objects.requireNonNull(headImageId, "headImageId");
    if (roundCount < 1) {
      throw new IllegalArgumentException("roundCount must be >= 1 but was " + roundCount);
    }
  }
}
