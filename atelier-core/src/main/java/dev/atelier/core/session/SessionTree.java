package dev.atelier.core.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Read-only navigation of a {@link Session}'s round tree: paths, children, undo and the rounds a
 * restart consolidates.
 *
 * <p>A round is a root when its {@code parentId} is {@code ""} or when it is a {@link
 * Round.Kind#RESTART}: a restart re-renders from scratch, so its chain starts there even if a store
 * recorded the consolidated round as its parent. Rounds are compared by id only.
 *
 * @param session the session to navigate
 */
public record SessionTree(Session session) {

  /** Validates. */
  public SessionTree {
    Objects.requireNonNull(session, "session");
  }

  /**
   * The chain from the root of {@code roundId}'s chain down to that round, inclusive.
   *
   * @throws IllegalArgumentException if the session has no round {@code roundId}
   * @throws IllegalStateException if a parent is missing or the parents form a cycle (a corrupt
   *     session, not bad input)
   */
  public List<Round> path(String roundId) {
    List<Round> reversed = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Round current = requireRound(roundId);
    while (true) {
      if (!seen.add(current.id())) {
        throw new IllegalStateException(
            "session " + session.id() + " has a parent cycle through round " + current.id());
      }
      reversed.add(current);
      if (isRoot(current)) {
        break;
      }
      String parentId = current.parentId();
      String childId = current.id();
      current =
          session
              .round(parentId)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "session "
                              + session.id()
                              + " has no round "
                              + parentId
                              + " (parent of "
                              + childId
                              + ")"));
    }
    Collections.reverse(reversed);
    return List.copyOf(reversed);
  }

  /**
   * The round an undo of the head moves to: the head's parent.
   *
   * @return empty when the head is a root (the first image or a restart), where there is nothing to
   *     undo; the caller answers with a client error
   */
  public Optional<Round> undoTarget() {
    List<Round> path = path(session.headRoundId());
    return path.size() < 2 ? Optional.empty() : Optional.of(path.get(path.size() - 2));
  }

  /**
   * The round with {@code roundId}.
   *
   * @throws IllegalArgumentException naming the id if the session has no such round
   */
  public Round requireRound(String roundId) {
    Objects.requireNonNull(roundId, "roundId");
    return session
        .round(roundId)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "expected a round of session "
                        + session.id()
                        + " but found no round with id "
                        + roundId));
  }

  /**
   * The rounds that edited {@code roundId}'s image directly, in creation order (the branches that
   * start at it). Restarts are never children: they start chains of their own.
   *
   * @throws IllegalArgumentException if the session has no round {@code roundId}
   */
  public List<Round> children(String roundId) {
    Round parent = requireRound(roundId);
    return session.rounds().stream()
        .filter(r -> !isRoot(r) && r.parentId().equals(parent.id()))
        .toList();
  }

  /**
   * The session's {@link Round.Kind#CREATE} round: the first image, generated from a prompt or
   * uploaded. Restarts re-render from this round's image.
   *
   * @throws IllegalStateException if the session has no CREATE round (a corrupt session)
   */
  public Round firstImageRound() {
    return session.rounds().stream()
        .filter(r -> r.kind() == Round.Kind.CREATE)
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("session " + session.id() + " has no CREATE round"));
  }

  /**
   * The instructions of the {@link Round.Kind#EDIT} rounds on {@code roundId}'s path, oldest first:
   * with the path root's instruction as the base, what {@link PromptMerger#merge} folds into one
   * prompt when the session restarts at {@code roundId}.
   *
   * @throws IllegalArgumentException if the session has no round {@code roundId}
   */
  public List<String> editInstructions(String roundId) {
    return path(roundId).stream()
        .filter(r -> r.kind() == Round.Kind.EDIT)
        .map(Round::instruction)
        .toList();
  }

  private static boolean isRoot(Round round) {
    return round.parentId().isEmpty() || round.kind() == Round.Kind.RESTART;
  }
}
