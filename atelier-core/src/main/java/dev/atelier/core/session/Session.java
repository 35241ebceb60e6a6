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
 * @param owner who made it (the owner of the API key), {@code ""} for a server without keys; its
 *     rounds are its owner's
 */
public record Session(
    String id, Instant createdAt, String headRoundId, List<Round> rounds, String owner) {

  /** Validates and copies. */
  public Session {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(headRoundId, "headRoundId");
    rounds = List.copyOf(rounds);
  }

  /** A session of the empty owner, as a server without keys stores it. */
  public Session(String id, Instant createdAt, String headRoundId, List<Round> rounds) {
    this(id, createdAt, headRoundId, rounds, "");
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
