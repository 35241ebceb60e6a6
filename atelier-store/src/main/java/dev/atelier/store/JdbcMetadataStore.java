package dev.atelier.store;

import dev.atelier.core.AtelierException;
import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import dev.atelier.store.internal.ApiKeyRows;
import dev.atelier.store.internal.ConnectionSource;
import dev.atelier.store.internal.CounterRows;
import dev.atelier.store.internal.Cursor;
import dev.atelier.store.internal.Dialect;
import dev.atelier.store.internal.DriverDataSource;
import dev.atelier.store.internal.HikariConnectionSource;
import dev.atelier.store.internal.ImageRows;
import dev.atelier.store.internal.JobRows;
import dev.atelier.store.internal.MigrationLock;
import dev.atelier.store.internal.Migrations;
import dev.atelier.store.internal.OwnerOnly;
import dev.atelier.store.internal.SessionRows;
import dev.atelier.store.internal.SingleConnectionSource;
import dev.atelier.store.internal.SqlWork;
import dev.atelier.store.internal.Transactor;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@link MetadataStore} over JDBC, for SQLite (one file, one shared connection, WAL) or PostgreSQL
 * (a HikariCP pool).
 *
 * <p>Opening applies any pending schema migrations (Flyway, under a lock that lets one process at a
 * time migrate). Each method is one transaction that commits entirely or rolls back entirely.
 * Prefer {@link Stores#open}, which picks the database from the configuration.
 */
public final class JdbcMetadataStore implements MetadataStore {
  private final Dialect dialect;
  private final ConnectionSource connections;
  private final Transactor transactor;
  private final Notifications notifications;

  private JdbcMetadataStore(Dialect dialect, ConnectionSource connections, String where) {
    this(dialect, connections, where, null);
  }

  /** With {@code direct} (PostgreSQL), notifications listen on a connection of their own. */
  private JdbcMetadataStore(
      Dialect dialect, ConnectionSource connections, String where, DriverDataSource direct) {
    this.dialect = dialect;
    this.connections = connections;
    this.transactor = new Transactor(connections, dialect.kind() + " " + where);
    this.notifications =
        direct == null
            ? new dev.atelier.store.internal.LocalNotifications()
            : new dev.atelier.store.internal.PgNotifications(direct, this::notify, currentSchema());
  }

  private void notify(String channel, String payload) {
    transactor.inTransaction(
        "notify " + channel,
        c -> {
          try (java.sql.PreparedStatement p = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            p.setString(1, channel);
            p.setString(2, payload);
            p.execute();
          }
          return null;
        });
  }

  private String currentSchema() {
    return transactor.inTransaction(
        "current schema",
        c -> {
          try (var st = c.createStatement();
              var rs = st.executeQuery("SELECT current_schema()")) {
            return rs.next() && rs.getString(1) != null ? rs.getString(1) : "public";
          }
        });
  }

  @Override
  public Notifications notifications() {
    return notifications;
  }

  @Override
  public void reportWorker(Worker worker) {
    Objects.requireNonNull(worker, "worker");
    transactor.inTransaction(
        "report worker " + worker.id(),
        c -> {
          dev.atelier.store.internal.WorkerRows.upsert(c, worker);
          return null;
        });
  }

  @Override
  public List<Worker> workers() {
    return transactor.inTransaction("workers", dev.atelier.store.internal.WorkerRows::all);
  }

  @Override
  public void removeWorker(String id) {
    Objects.requireNonNull(id, "id");
    transactor.inTransaction(
        "remove worker " + id,
        c -> {
          dev.atelier.store.internal.WorkerRows.delete(c, id);
          return null;
        });
  }

  @Override
  public int pruneWorkers(Instant before) {
    Objects.requireNonNull(before, "before");
    return transactor.inTransaction(
        "prune workers", c -> dev.atelier.store.internal.WorkerRows.prune(c, before));
  }

  /**
   * Opens (creating if absent) the SQLite database {@code file} and migrates it.
   *
   * <p>A new database file is created 0600 and missing folders 0700 before SQLite opens it; SQLite
   * gives its {@code -wal} and {@code -shm} files the database file's mode, so they are owner-only
   * too. An existing file keeps its mode.
   *
   * @throws AtelierException.StorageFailure when the file cannot be opened or migrated, or was
   *     written by a newer Atelier
   */
  public static JdbcMetadataStore openSqlite(Path file) {
    Path absolute = file.toAbsolutePath();
    try {
      Path parent = absolute.getParent();
      if (parent != null) {
        OwnerOnly.createDirectories(parent);
      }
      OwnerOnly.createFileIfAbsent(absolute);
      String url = "jdbc:sqlite:" + absolute;
      Migrations.migrate(
          Dialect.SQLITE,
          new DriverDataSource(url, "", "", Dialect.SQLITE),
          MigrationLock.sqlite(absolute),
          "sqlite " + absolute);
      return new JdbcMetadataStore(
          Dialect.SQLITE, new SingleConnectionSource(url, Dialect.SQLITE), absolute.toString());
    } catch (IOException | SQLException e) {
      throw new AtelierException.StorageFailure(
          "cannot open SQLite database " + absolute + ": " + e.getMessage(), e);
    }
  }

  /**
   * Connects to PostgreSQL at {@code jdbcUrl} ({@code jdbc:postgresql:...}) with the default pool
   * settings and migrates it.
   *
   * @throws IllegalArgumentException when {@code jdbcUrl} is not a PostgreSQL JDBC URL
   * @throws AtelierException.StorageFailure when the server cannot be reached or migrated, or the
   *     schema was written by a newer Atelier
   */
  public static JdbcMetadataStore openPostgresql(String jdbcUrl) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "a PostgreSQL JDBC URL must start with jdbc:postgresql: but was "
              + Stores.redact(jdbcUrl));
    }
    return openPostgresql(DatabaseUrl.parse(jdbcUrl), PoolSettings.DEFAULTS);
  }

  /**
   * Connects to the PostgreSQL server {@code url} names, migrates it, and starts a connection pool.
   *
   * <p>Tables go into the connection's current schema (set {@code currentSchema} in the URL to
   * choose one). Messages name the server by {@link DatabaseUrl#jdbcUrl()}, which holds no
   * credentials; the password reaches only the driver.
   *
   * @throws IllegalArgumentException when {@code url} names SQLite
   * @throws AtelierException.StorageFailure when the server cannot be reached or migrated, or the
   *     schema was written by a newer Atelier
   */
  public static JdbcMetadataStore openPostgresql(DatabaseUrl url, PoolSettings pool) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(pool, "pool");
    if (!url.isPostgresql()) {
      throw new IllegalArgumentException("expected a PostgreSQL URL but the URL names SQLite");
    }
    String where = Stores.redact(url.jdbcUrl());
    DriverDataSource direct =
        new DriverDataSource(url.jdbcUrl(), url.user(), url.password(), Dialect.POSTGRESQL);
    Migrations.migrate(
        Dialect.POSTGRESQL, direct, MigrationLock.postgresql(direct), "postgresql " + where);
    try {
      return new JdbcMetadataStore(
          Dialect.POSTGRESQL,
          new HikariConnectionSource(url.jdbcUrl(), url.user(), url.password(), pool),
          where,
          direct);
    } catch (SQLException e) {
      throw new AtelierException.StorageFailure(
          "cannot connect to PostgreSQL at " + where + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void insertImage(StoredImage image) {
    Objects.requireNonNull(image, "image");
    transactor.inTransaction(
        "insertImage " + image.id(),
        c -> {
          ImageRows.insert(c, image);
          return null;
        });
  }

  @Override
  public Optional<StoredImage> image(String id) {
    Objects.requireNonNull(id, "id");
    return transactor.inTransaction("image " + id, c -> ImageRows.find(c, id));
  }

  @Override
  public Optional<Page<StoredImage>> images(
      OwnerScope owners, String sessionId, int limit, String after) {
    Objects.requireNonNull(owners, "owners");
    Objects.requireNonNull(sessionId, "sessionId");
    checkPage(limit, after);
    return listing(
        "images",
        limit,
        after,
        c -> ImageRows.cursor(c, owners, after),
        (c, cursor, rows) -> ImageRows.newestFirst(c, owners, sessionId, cursor, rows));
  }

  @Override
  public Optional<Page<SessionSummary>> sessions(OwnerScope owners, int limit, String after) {
    Objects.requireNonNull(owners, "owners");
    checkPage(limit, after);
    return listing(
        "sessions",
        limit,
        after,
        c -> SessionRows.cursor(c, owners, after),
        (c, cursor, rows) -> SessionRows.newestFirst(c, owners, cursor, rows));
  }

  /** The rows of a newest-first listing after a cursor. */
  @FunctionalInterface
  private interface Rows<T> {
    List<T> read(java.sql.Connection c, Cursor cursor, int rows) throws SQLException;
  }

  /**
   * One keyset page of a newest-first listing, in one transaction: the rows older than {@code
   * after}'s cursor ({@code cursorOf}; empty when {@code after} names no row the caller may see),
   * read with one more than {@code limit} to see whether more follow.
   */
  private <T> Optional<Page<T>> listing(
      String what, int limit, String after, SqlWork<Optional<Cursor>> cursorOf, Rows<T> rows) {
    return transactor.inTransaction(
        what + " after '" + after + "'",
        c -> {
          Optional<Cursor> cursor = after.isEmpty() ? Optional.of(Cursor.NEWEST) : cursorOf.run(c);
          if (cursor.isEmpty()) {
            return Optional.<Page<T>>empty();
          }
          return Optional.of(page(rows.read(c, cursor.get(), limit + 1), limit));
        });
  }

  /** The largest page the listings return. */
  public static final int MAX_PAGE = 1000;

  private static void checkPage(int limit, String after) {
    Objects.requireNonNull(after, "after");
    if (limit < 1 || limit > MAX_PAGE) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + " but was " + limit);
    }
  }

  /**
   * The first {@code limit} of {@code rows}, which were read with one more to see if more follow.
   */
  private static <T> Page<T> page(java.util.List<T> rows, int limit) {
    boolean more = rows.size() > limit;
    return new Page<>(more ? rows.subList(0, limit) : rows, more);
  }

  @Override
  public Set<String> referencedBlobs() {
    return transactor.inTransaction(
        "referencedBlobs",
        c -> {
          Set<String> all = new java.util.TreeSet<>(ImageRows.referencedBlobs(c));
          all.addAll(JobRows.pendingInputs(c));
          return all;
        });
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code session} does not hold exactly one round, or that
   *     round is not its head
   */
  @Override
  public void createSession(Session session, StoredImage rootImage) {
    Objects.requireNonNull(rootImage, "rootImage");
    if (session.rounds().size() != 1) {
      throw new IllegalArgumentException(
          "a new session must hold exactly its root round but held "
              + session.rounds().size()
              + " rounds");
    }
    Round root = session.rounds().getFirst();
    if (!root.id().equals(session.headRoundId())) {
      throw new IllegalArgumentException(
          "a new session's head must be its root round "
              + root.id()
              + " but was "
              + session.headRoundId());
    }
    transactor.inTransaction(
        "createSession " + session.id(),
        c -> {
          ImageRows.insert(c, rootImage);
          SessionRows.insertSession(c, session);
          SessionRows.insertRound(c, dialect, root);
          return null;
        });
  }

  @Override
  public void addRound(StoredImage image, Round round) {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(round, "round");
    transactor.inTransaction(
        "addRound " + round.id() + " to " + round.sessionId(),
        c -> {
          ImageRows.insert(c, image);
          SessionRows.insertRound(c, dialect, round);
          if (!SessionRows.setHead(c, round.sessionId(), round.id())) {
            // Unreachable while the foreign key holds; kept so a missing session never commits.
            throw new AtelierException.StorageFailure(
                "addRound expected session " + round.sessionId() + " to exist but found none",
                null);
          }
          return null;
        });
  }

  @Override
  public boolean moveHead(String sessionId, String roundId) {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(roundId, "roundId");
    return transactor.inTransaction(
        "moveHead " + sessionId + " to " + roundId,
        c ->
            SessionRows.roundInSession(c, sessionId, roundId)
                && SessionRows.setHead(c, sessionId, roundId));
  }

  @Override
  public Optional<Session> session(String id) {
    Objects.requireNonNull(id, "id");
    return transactor.inTransaction("session " + id, c -> SessionRows.load(c, id));
  }

  @Override
  public boolean deleteSession(String id) {
    Objects.requireNonNull(id, "id");
    return transactor.inTransaction(
        "deleteSession " + id,
        c -> {
          boolean existed = SessionRows.delete(c, id);
          if (existed) {
            ImageRows.detachFromSession(c, id);
          }
          return existed;
        });
  }

  @Override
  public void insertApiKey(ApiKey key) {
    Objects.requireNonNull(key, "key");
    transactor.inTransaction(
        "insertApiKey " + key.id(),
        c -> {
          // Checked first for a message that says what to do; the partial unique index backs it.
          if (ApiKeyRows.activeNameTaken(c, key.name())) {
            throw new AtelierException.InvalidRequest(
                "name",
                "an active key is already named '"
                    + key.name()
                    + "'; choose another name or revoke that key first",
                "key_name_taken");
          }
          ApiKeyRows.insert(c, key);
          return null;
        });
  }

  @Override
  public List<ApiKey> apiKeys() {
    return transactor.inTransaction("apiKeys", ApiKeyRows::all);
  }

  @Override
  public Optional<ApiKey> revokeApiKey(String idOrName, Instant at) {
    Objects.requireNonNull(idOrName, "idOrName");
    Objects.requireNonNull(at, "at");
    return transactor.inTransaction(
        "revokeApiKey " + idOrName,
        c -> {
          Optional<ApiKey> key = ApiKeyRows.active(c, idOrName);
          if (key.isPresent()) {
            ApiKeyRows.stamp(c, key.get().id(), "revoked_at", at);
          }
          return key;
        });
  }

  @Override
  public void touchApiKey(String id, Instant at) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(at, "at");
    transactor.inTransaction("touchApiKey " + id, c -> ApiKeyRows.stamp(c, id, "last_used_at", at));
  }

  // ---- jobs ----

  @Override
  public Enqueued enqueue(
      Job job,
      int capacity,
      int keyLimit,
      Optional<Idempotency.Key> key,
      java.time.Duration keyTtl) {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(key, "key");
    if (job.status() != JobStatus.QUEUED) {
      throw new IllegalArgumentException("a new job must be queued but was " + job.status());
    }
    return transactor.inTransaction(
        "enqueue " + job.id(),
        c -> {
          if (key.isPresent()) {
            Idempotency.Check check = check(c, key.get(), keyTtl);
            if (!(check instanceof Idempotency.Fresh)) {
              return new Known(check);
            }
          }
          int depth = JobRows.count(c, JobStatus.QUEUED);
          if (depth >= capacity) {
            return new QueueFull(depth);
          }
          if (keyLimit > 0) {
            dialect.lockKey(c, job.keyId());
            int unfinished = JobRows.unfinished(c, job.keyId());
            if (unfinished >= keyLimit) {
              return new KeyBusy(unfinished);
            }
          }
          JobRows.insert(c, job);
          if (key.isPresent()) {
            JobRows.takeKey(c, key.get(), job.id());
          }
          return new Accepted(job);
        });
  }

  /** What {@code key} finds: fresh when unknown or older than {@code ttl}. */
  private Idempotency.Check check(
      java.sql.Connection c, Idempotency.Key key, java.time.Duration ttl)
      throws java.sql.SQLException {
    Optional<Idempotency.Entry> entry =
        JobRows.idempotencyEntry(c, dialect, key.owner(), key.key());
    if (entry.isEmpty() || entry.get().createdAt().plus(ttl).isBefore(key.at())) {
      return new Idempotency.Fresh();
    }
    return entry.get().requestHash().equals(key.requestHash())
        ? new Idempotency.Replay(entry.get())
        : new Idempotency.Conflict(entry.get());
  }

  @Override
  public Optional<Job> job(String id) {
    Objects.requireNonNull(id, "id");
    return transactor.inTransaction("job " + id, c -> JobRows.find(c, id));
  }

  @Override
  public Optional<Page<Job>> jobs(
      OwnerScope owners, Optional<JobStatus> status, int limit, String after) {
    Objects.requireNonNull(owners, "owners");
    Objects.requireNonNull(status, "status");
    checkPage(limit, after);
    return listing(
        "jobs",
        limit,
        after,
        c -> JobRows.cursor(c, owners, after),
        (c, cursor, rows) -> JobRows.newestFirst(c, owners, status, cursor, rows));
  }

  @Override
  public int queuedAhead(String id) {
    Objects.requireNonNull(id, "id");
    return transactor.inTransaction("queuedAhead " + id, c -> JobRows.queuedAhead(c, id));
  }

  @Override
  public int unfinished(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return transactor.inTransaction("unfinished " + keyId, c -> JobRows.unfinished(c, keyId));
  }

  @Override
  public Counts counts() {
    return transactor.inTransaction(
        "job counts",
        c ->
            new Counts(
                JobRows.count(c, JobStatus.QUEUED), JobRows.count(c, JobStatus.IN_PROGRESS)));
  }

  @Override
  public Optional<Job> claim(
      String worker, Instant now, java.time.Duration lease, java.util.Set<String> models) {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    return transactor.inTransaction(
        "claim for " + worker,
        c -> {
          Optional<String> id = JobRows.next(c, dialect, models);
          if (id.isEmpty() || !JobRows.start(c, id.get(), worker, now, now.plus(lease))) {
            return Optional.<Job>empty();
          }
          Job job = JobRows.find(c, id.get()).orElseThrow();
          JobRows.claimedFor(c, job.owner(), now);
          return Optional.of(job);
        });
  }

  @Override
  public Beat heartbeat(String id, String worker, Instant until, String progress) {
    Objects.requireNonNull(progress, "progress");
    return transactor.inTransaction(
        "heartbeat " + id,
        c -> {
          boolean held = JobRows.renew(c, id, worker, until, progress);
          return new Beat(held, JobRows.cancelRequested(c, id));
        });
  }

  @Override
  public boolean complete(
      String id,
      String worker,
      Instant at,
      int resultStatus,
      String result,
      List<MetadataWrite> writes) {
    Objects.requireNonNull(result, "result");
    List<MetadataWrite> all = List.copyOf(writes);
    return transactor.inTransaction(
        "complete " + id,
        c -> {
          if (!JobRows.finish(c, id, worker, JobStatus.COMPLETED, at, resultStatus, result, "")) {
            return false;
          }
          for (MetadataWrite w : all) {
            apply(c, w);
          }
          return true;
        });
  }

  /** Applies one write inside the caller's transaction, as the method of the same name does. */
  private void apply(java.sql.Connection c, MetadataWrite w) throws java.sql.SQLException {
    switch (w) {
      case MetadataWrite.InsertImage(StoredImage image) -> ImageRows.insert(c, image);
      case MetadataWrite.CreateSession(Session session, StoredImage root) -> {
        ImageRows.insert(c, root);
        SessionRows.insertSession(c, session);
        SessionRows.insertRound(c, dialect, session.rounds().getFirst());
      }
      case MetadataWrite.AddRound(StoredImage image, Round round) -> {
        ImageRows.insert(c, image);
        SessionRows.insertRound(c, dialect, round);
        if (!SessionRows.setHead(c, round.sessionId(), round.id())) {
          // The session was deleted while the job ran: the round has nowhere to go.
          throw new AtelierException.NotFound(
              "session", "no session with id '" + round.sessionId() + "'");
        }
      }
      case MetadataWrite.MoveHead(String sessionId, String roundId) -> {
        if (!SessionRows.roundInSession(c, sessionId, roundId)
            || !SessionRows.setHead(c, sessionId, roundId)) {
          throw new AtelierException.NotFound("session", "no session with id '" + sessionId + "'");
        }
      }
    }
  }

  @Override
  public boolean fail(String id, String worker, Instant at, String error) {
    Objects.requireNonNull(error, "error");
    return transactor.inTransaction(
        "fail " + id, c -> JobRows.finish(c, id, worker, JobStatus.FAILED, at, 0, "", error));
  }

  @Override
  public boolean cancelled(String id, String worker, Instant at) {
    return transactor.inTransaction(
        "cancelled " + id, c -> JobRows.finish(c, id, worker, JobStatus.CANCELLED, at, 0, "", ""));
  }

  @Override
  public void savePartialImage(String jobId, String worker, long eventId, String data, Instant at) {
    transactor.inTransaction(
        "partial image of " + jobId,
        c -> {
          JobRows.savePartial(c, jobId, worker, eventId, data, at);
          return null;
        });
  }

  @Override
  public Optional<String> partialImage(String jobId, String worker, long eventId) {
    return transactor.inTransaction(
        "partial image of " + jobId, c -> JobRows.partial(c, jobId, worker, eventId));
  }

  @Override
  public List<PartialImage> partialImages(String jobId) {
    return transactor.inTransaction("partial images of " + jobId, c -> JobRows.partials(c, jobId));
  }

  @Override
  public int sweepPartialImages(Instant endedBefore, Instant storedBefore) {
    return transactor.inTransaction(
        "sweep partial images", c -> JobRows.sweepPartials(c, endedBefore, storedBefore));
  }

  @Override
  public boolean release(String id, String worker) {
    return transactor.inTransaction("release " + id, c -> JobRows.release(c, id, worker));
  }

  @Override
  public Optional<Job> cancel(String id, Instant at) {
    Objects.requireNonNull(id, "id");
    return transactor.inTransaction(
        "cancel " + id,
        c -> {
          Optional<Job> job = JobRows.findForUpdate(c, dialect, id);
          if (job.isEmpty()) {
            return job;
          }
          switch (job.get().status()) {
            case QUEUED -> JobRows.end(c, id, JobStatus.CANCELLED, at, "");
            case IN_PROGRESS -> JobRows.requestCancel(c, id);
            default -> {
              return job;
            }
          }
          return JobRows.find(c, id);
        });
  }

  @Override
  public List<Job> recoverExpired(Instant now, int maxAttempts, String error) {
    Objects.requireNonNull(error, "error");
    return transactor.inTransaction(
        "recoverExpired",
        c -> {
          List<Job> changed = new java.util.ArrayList<>();
          for (Job job : JobRows.expired(c, dialect, now)) {
            if (job.cancelRequested()) {
              JobRows.end(c, job.id(), JobStatus.CANCELLED, now, "");
            } else if (job.attempts() >= maxAttempts) {
              JobRows.end(c, job.id(), JobStatus.FAILED, now, error);
            } else {
              JobRows.requeue(c, job.id());
            }
            changed.add(JobRows.find(c, job.id()).orElseThrow());
          }
          return changed;
        });
  }

  @Override
  public Idempotency.Check takeIdempotencyKey(Idempotency.Key key, java.time.Duration ttl) {
    Objects.requireNonNull(key, "key");
    return transactor.inTransaction(
        "idempotency key",
        c -> {
          Idempotency.Check check = check(c, key, ttl);
          if (check instanceof Idempotency.Fresh) {
            JobRows.takeKey(c, key, "");
          }
          return check;
        });
  }

  @Override
  public void recordResponse(String owner, String key, int status, String body) {
    transactor.inTransaction(
        "idempotent response",
        c -> {
          JobRows.respond(c, owner, key, status, body);
          return null;
        });
  }

  @Override
  public void releaseIdempotencyKey(String owner, String key) {
    transactor.inTransaction(
        "release idempotency key",
        c -> {
          JobRows.deleteKey(c, owner, key);
          return null;
        });
  }

  // ---- rate counters ----

  @Override
  public java.util.OptionalInt take(Counter counter, int limit) {
    Objects.requireNonNull(counter, "counter");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 but was " + limit);
    }
    return transactor.oneStatement(
        "take " + counter.window().kind() + " counter of " + counter.keyId(),
        c -> CounterRows.take(c, counter, limit));
  }

  @Override
  public void add(Counter counter, int delta) {
    Objects.requireNonNull(counter, "counter");
    transactor.oneStatement(
        "add to " + counter.window().kind() + " counter of " + counter.keyId(),
        c -> {
          CounterRows.add(c, counter, delta);
          return null;
        });
  }

  @Override
  public int count(Counter counter) {
    Objects.requireNonNull(counter, "counter");
    return transactor.oneStatement(
        "read " + counter.window().kind() + " counter of " + counter.keyId(),
        c -> CounterRows.count(c, counter));
  }

  @Override
  public int purge(Instant now) {
    Objects.requireNonNull(now, "now");
    return transactor.inTransaction("purge rate counters", c -> CounterRows.purge(c, now));
  }

  @Override
  public String kind() {
    return dialect.kind();
  }

  @Override
  public void ping() {
    transactor.inTransaction(
        "ping",
        c -> {
          try (var st = c.createStatement();
              var rs = st.executeQuery("SELECT 1")) {
            return rs.next();
          }
        });
  }

  /** Closes every connection; calls afterwards fail with a storage failure. Idempotent. */
  @Override
  public void close() {
    notifications.close();
    connections.close();
  }
}
