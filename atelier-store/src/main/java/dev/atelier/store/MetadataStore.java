package dev.atelier.store;

import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rows for images, sessions and rounds, in SQLite or PostgreSQL.
 *
 * <p>Every method is one transaction: it commits entirely or changes nothing. Blobs must be stored
 * (and durable) before the rows naming them are written. Thread-safe. Failures are {@link
 * dev.atelier.core.AtelierException.StorageFailure}.
 */
public interface MetadataStore extends JobStore, WorkerStore, RateCounters, AutoCloseable {
  /**
   * Messages between the processes sharing this store (PostgreSQL's {@code LISTEN/NOTIFY}; within
   * this JVM for SQLite); one instance per store, closed with it.
   */
  Notifications notifications();

  /** Inserts an image row (not part of a session, or already part of one). */
  void insertImage(StoredImage image);

  /** The image with {@code id}. */
  Optional<StoredImage> image(String id);

  /**
   * Stored images newest first (by creation time, then id), session images included and the masks
   * edits store ({@code kind: mask} in provenance) left out.
   *
   * @param owners whose images to list; filtered in the query, so a page is always full when more
   *     of the owner's images follow
   * @param sessionId {@code ""} for images of any session or none, else only that session's
   * @param limit the most images to return, 1..1000
   * @param after {@code ""} to start at the newest image, else an image id: the page holds the
   *     images listed after it (older ones)
   * @return empty when {@code after} names no image of {@code owners}
   * @throws IllegalArgumentException when {@code limit} is not 1..1000
   */
  Optional<Page<StoredImage>> images(OwnerScope owners, String sessionId, int limit, String after);

  /** Every owner's images of any session, as {@link #images(OwnerScope, String, int, String)}. */
  default Optional<Page<StoredImage>> images(int limit, String after) {
    return images(OwnerScope.EVERYONE, "", limit, after);
  }

  /**
   * Sessions newest first (by creation time, then id), as summaries without their round trees.
   *
   * @param owners whose sessions to list
   * @param limit the most sessions to return, 1..1000
   * @param after {@code ""} to start at the newest session, else a session id: the page holds the
   *     sessions listed after it (older ones)
   * @return empty when {@code after} names no session of {@code owners}
   * @throws IllegalArgumentException when {@code limit} is not 1..1000
   */
  Optional<Page<SessionSummary>> sessions(OwnerScope owners, int limit, String after);

  /** Every owner's sessions, as {@link #sessions(OwnerScope, int, String)}. */
  default Optional<Page<SessionSummary>> sessions(int limit, String after) {
    return sessions(OwnerScope.EVERYONE, limit, after);
  }

  /** Every sha256 some image row references (for sweeping orphan blobs). */
  Set<String> referencedBlobs();

  /**
   * Creates a session with its first round and that round's image, head at that round.
   *
   * @param session a session whose {@code rounds} holds exactly the root round; its owner is
   *     recorded
   * @param rootImage the root round's image
   */
  void createSession(Session session, StoredImage rootImage);

  /** Inserts {@code image} and {@code round} and moves the session's head to the round. */
  void addRound(StoredImage image, Round round);

  /**
   * Moves the head of session {@code sessionId} to {@code roundId}.
   *
   * @return false when the session or the round (in that session) does not exist
   */
  boolean moveHead(String sessionId, String roundId);

  /** The session with all its rounds in creation order. */
  Optional<Session> session(String id);

  /**
   * Deletes a session and its rounds; its images stay (they may be referenced elsewhere) but lose
   * their session id.
   *
   * @return false when it did not exist
   */
  boolean deleteSession(String id);

  /**
   * Stores a new API key (its hash; the secret is never stored).
   *
   * @throws dev.atelier.core.AtelierException.InvalidRequest when an active key already has its
   *     name (param {@code name}, code {@code key_name_taken})
   */
  void insertApiKey(ApiKey key);

  /** Every API key, revoked ones included, oldest first. */
  List<ApiKey> apiKeys();

  /**
   * Revokes the active key whose id or name is {@code idOrName}.
   *
   * @return the key as it was before it was revoked; empty when no active key has that id or name
   */
  Optional<ApiKey> revokeApiKey(String idOrName, Instant at);

  /** Records that key {@code id} was used at {@code at}; a no-op for an unknown id. */
  void touchApiKey(String id, Instant at);

  /**
   * Checks that the database answers (one trivial query), for readiness checks.
   *
   * @throws dev.atelier.core.AtelierException.StorageFailure when it does not
   */
  void ping();

  /** Which database this is ({@code sqlite} or {@code postgresql}), for logs. */
  String kind();

  @Override
  void close();
}
