package dev.atelier.server.jobs;

import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.ApiKey;
import dev.atelier.store.Idempotency;
import dev.atelier.store.Job;
import dev.atelier.store.JobStatus;
import dev.atelier.store.MetadataStore;
import dev.atelier.store.MetadataWrite;
import dev.atelier.store.OwnerScope;
import dev.atelier.store.Page;
import dev.atelier.store.SessionSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The metadata store as one job sees it while it runs: its image, session and round writes are held
 * back, in order, and committed with the job's completion ({@link #writes()} given to {@link
 * dev.atelier.store.JobStore#complete}); its own reads see them. Everything else goes to the real
 * store.
 *
 * <p>So a job that is cancelled, fails or dies leaves no row behind, and a completed job's rows
 * appear together with its completion. Its blobs are written at once (content-addressed, like every
 * blob); a blob no row came to reference is swept at the next start.
 *
 * <p>Thread-safe: the engine thread writes while request threads may read.
 */
public final class PendingWrites implements MetadataStore {
  private final MetadataStore store;
  private final List<MetadataWrite> writes = new ArrayList<>();

  /** Holds back writes meant for {@code store}. */
  public PendingWrites(MetadataStore store) {
    this.store = store;
  }

  /** The writes held back so far, in the order they were made. */
  public synchronized List<MetadataWrite> writes() {
    return List.copyOf(writes);
  }

  @Override
  public synchronized void insertImage(StoredImage image) {
    writes.add(new MetadataWrite.InsertImage(image));
  }

  @Override
  public synchronized void createSession(Session session, StoredImage rootImage) {
    writes.add(new MetadataWrite.CreateSession(session, rootImage));
  }

  @Override
  public synchronized void addRound(StoredImage image, Round round) {
    writes.add(new MetadataWrite.AddRound(image, round));
  }

  /** Held back like the others; true when the round is in the session as this job sees it. */
  @Override
  public synchronized boolean moveHead(String sessionId, String roundId) {
    Optional<Session> s = session(sessionId);
    if (s.isEmpty() || s.get().round(roundId).isEmpty()) {
      return false;
    }
    writes.add(new MetadataWrite.MoveHead(sessionId, roundId));
    return true;
  }

  @Override
  public synchronized Optional<StoredImage> image(String id) {
    for (MetadataWrite w : writes) {
      StoredImage made =
          switch (w) {
            case MetadataWrite.InsertImage(StoredImage image) -> image;
            case MetadataWrite.CreateSession(Session s, StoredImage root) -> root;
            case MetadataWrite.AddRound(StoredImage image, Round r) -> image;
            case MetadataWrite.MoveHead m -> null;
          };
      if (made != null && made.id().equals(id)) {
        return Optional.of(made);
      }
    }
    return store.image(id);
  }

  @Override
  public synchronized Optional<Session> session(String id) {
    Optional<Session> session = Optional.empty();
    boolean created = false;
    for (MetadataWrite w : writes) {
      if (w instanceof MetadataWrite.CreateSession(Session s, StoredImage root)
          && s.id().equals(id)) {
        session = Optional.of(s);
        created = true;
      }
    }
    if (!created) {
      session = store.session(id);
    }
    for (MetadataWrite w : writes) {
      if (session.isEmpty()) {
        break;
      }
      Session s = session.get();
      switch (w) {
        case MetadataWrite.AddRound(StoredImage image, Round round)
            when round.sessionId().equals(id) -> {
          List<Round> rounds = new ArrayList<>(s.rounds());
          rounds.add(round);
          session = Optional.of(new Session(s.id(), s.createdAt(), round.id(), rounds, s.owner()));
        }
        case MetadataWrite.MoveHead(String sessionId, String roundId) when sessionId.equals(id) ->
            session =
                Optional.of(new Session(s.id(), s.createdAt(), roundId, s.rounds(), s.owner()));
        default -> {}
      }
    }
    return session;
  }

  @Override
  public Optional<Page<StoredImage>> images(
      OwnerScope owners, String sessionId, int limit, String after) {
    return store.images(owners, sessionId, limit, after);
  }

  @Override
  public Optional<Page<SessionSummary>> sessions(OwnerScope owners, int limit, String after) {
    return store.sessions(owners, limit, after);
  }

  @Override
  public Set<String> referencedBlobs() {
    return store.referencedBlobs();
  }

  /** Not a job's write: a job never deletes a session. */
  @Override
  public boolean deleteSession(String id) {
    throw new UnsupportedOperationException("a job does not delete sessions");
  }

  @Override
  public void insertApiKey(ApiKey key) {
    throw new UnsupportedOperationException("a job does not make keys");
  }

  @Override
  public List<ApiKey> apiKeys() {
    return store.apiKeys();
  }

  @Override
  public Optional<ApiKey> revokeApiKey(String idOrName, Instant at) {
    throw new UnsupportedOperationException("a job does not revoke keys");
  }

  @Override
  public void touchApiKey(String id, Instant at) {
    store.touchApiKey(id, at);
  }

  @Override
  public void ping() {
    store.ping();
  }

  @Override
  public String kind() {
    return store.kind();
  }

  /** The real store is its owner's to close. */
  @Override
  public void close() {}

  // The queue itself is never held back.

  @Override
  public Enqueued enqueue(
      Job job, int capacity, int keyLimit, Optional<Idempotency.Key> key, Duration ttl) {
    return store.enqueue(job, capacity, keyLimit, key, ttl);
  }

  @Override
  public Optional<Job> job(String id) {
    return store.job(id);
  }

  @Override
  public Optional<Page<Job>> jobs(
      OwnerScope owners, Optional<JobStatus> status, int limit, String after) {
    return store.jobs(owners, status, limit, after);
  }

  @Override
  public int queuedAhead(String id) {
    return store.queuedAhead(id);
  }

  @Override
  public int unfinished(String keyId) {
    return store.unfinished(keyId);
  }

  @Override
  public java.util.OptionalInt take(Counter counter, int limit) {
    return store.take(counter, limit);
  }

  @Override
  public void add(Counter counter, int delta) {
    store.add(counter, delta);
  }

  @Override
  public int count(Counter counter) {
    return store.count(counter);
  }

  @Override
  public int purge(Instant now) {
    return store.purge(now);
  }

  @Override
  public Counts counts() {
    return store.counts();
  }

  @Override
  public dev.atelier.store.Notifications notifications() {
    return store.notifications();
  }

  @Override
  public void reportWorker(dev.atelier.store.Worker worker) {
    store.reportWorker(worker);
  }

  @Override
  public List<dev.atelier.store.Worker> workers() {
    return store.workers();
  }

  @Override
  public void removeWorker(String id) {
    store.removeWorker(id);
  }

  @Override
  public int pruneWorkers(Instant before) {
    return store.pruneWorkers(before);
  }

  @Override
  public Optional<Job> claim(
      String worker, Instant now, Duration lease, java.util.Set<String> models) {
    return store.claim(worker, now, lease, models);
  }

  @Override
  public Beat heartbeat(String id, String worker, Instant until, String progress) {
    return store.heartbeat(id, worker, until, progress);
  }

  @Override
  public boolean complete(
      String id,
      String worker,
      Instant at,
      int resultStatus,
      String result,
      List<MetadataWrite> more) {
    return store.complete(id, worker, at, resultStatus, result, more);
  }

  @Override
  public boolean fail(String id, String worker, Instant at, String error) {
    return store.fail(id, worker, at, error);
  }

  @Override
  public boolean cancelled(String id, String worker, Instant at) {
    return store.cancelled(id, worker, at);
  }

  @Override
  public boolean release(String id, String worker) {
    return store.release(id, worker);
  }

  @Override
  public Optional<Job> cancel(String id, Instant at) {
    return store.cancel(id, at);
  }

  @Override
  public List<Job> recoverExpired(Instant now, int maxAttempts, String error) {
    return store.recoverExpired(now, maxAttempts, error);
  }

  @Override
  public Idempotency.Check takeIdempotencyKey(Idempotency.Key key, Duration ttl) {
    return store.takeIdempotencyKey(key, ttl);
  }

  @Override
  public void recordResponse(String owner, String key, int status, String body) {
    store.recordResponse(owner, key, status, body);
  }

  @Override
  public void releaseIdempotencyKey(String owner, String key) {
    store.releaseIdempotencyKey(owner, key);
  }

  @Override
  public void savePartialImage(String jobId, String worker, long eventId, String data, Instant at) {
    store.savePartialImage(jobId, worker, eventId, data, at);
  }

  @Override
  public Optional<String> partialImage(String jobId, String worker, long eventId) {
    return store.partialImage(jobId, worker, eventId);
  }

  @Override
  public List<PartialImage> partialImages(String jobId) {
    return store.partialImages(jobId);
  }

  @Override
  public int sweepPartialImages(Instant endedBefore, Instant storedBefore) {
    return store.sweepPartialImages(endedBefore, storedBefore);
  }
}
