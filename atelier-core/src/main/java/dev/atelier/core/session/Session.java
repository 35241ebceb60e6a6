package dev.atelier.core.session;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A multi-round editing session: a tree of rounds and the head, the round the next edit applies to.
 *
 * @param id server-generated id ({@code ses_...})
 * @param createdAt when it was created
 * @param headRoundId the current round
 * @param rounds every round, in creation order (the first is the root)
 */
public record Session(String id, Instant createdAt, String headRoundId, List<Round> rounds) {

  /** Validates and copies. */
  public Session {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(headRoundId, "headRoundId");
    rounds = List.copyOf(rounds);
  }

  /** The round with {@code roundId}. */
  public Optional<Round> round(String roundId) {
    return rounds.stream().filter(r -> r.id().equals(roundId)).findFirst();
  }

  /** The head round. */
  public Round head() {
    return round(headRoundId)
        .orElseThrow(
            () -> new IllegalStateException("session " + id + " has no head round " + headRoundId));
  }
}
