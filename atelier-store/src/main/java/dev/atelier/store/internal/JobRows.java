package dev.atelier.store.internal;

import dev.atelier.store.Idempotency;
import dev.atelier.store.Job;
import dev.atelier.store.JobStatus;
import dev.atelier.store.OwnerScope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * SQL for {@code jobs}, {@code job_owners} and {@code idempotency_keys}; every method runs inside
 * the caller's transaction.
 */
public final class JobRows {
  private static final String COLUMNS =
      "id, owner, key_id, kind, status, request, inputs, n, created_at, started_at, completed_at,"
          + " attempts, lease_owner, lease_expires_at, cancel_requested, progress, result_status,"
          + " result, error, model";

  private JobRows() {}

  /** Inserts a job row. */
  public static void insert(Connection c, Job job) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO jobs ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      p.setString(1, job.id());
      p.setString(2, job.owner());
      p.setString(3, job.keyId());
      p.setString(4, job.kind());
      p.setString(5, job.status().wire());
      p.setString(6, job.request());
      p.setString(7, String.join(",", new TreeSet<>(job.inputs())));
      p.setInt(8, job.n());
      p.setString(9, Timestamps.sortable(job.createdAt()));
      p.setString(10, text(job.startedAt()));
      p.setString(11, text(job.completedAt()));
      p.setInt(12, job.attempts());
      p.setString(13, job.leaseOwner());
      p.setString(14, text(job.leaseExpiresAt()));
      p.setInt(15, job.cancelRequested() ? 1 : 0);
      p.setString(16, job.progress());
      p.setInt(17, job.resultStatus());
      p.setString(18, job.result());
      p.setString(19, job.error());
      p.setString(20, job.model());
      p.executeUpdate();
    }
  }

  /** The job {@code id}. */
  public static Optional<Job> find(Connection c, String id) throws SQLException {
    return one(c, "SELECT " + COLUMNS + " FROM jobs WHERE id = ?", id);
  }

  /** The job {@code id}, locked for this transaction on PostgreSQL. */
  public static Optional<Job> findForUpdate(Connection c, Dialect dialect, String id)
      throws SQLException {
    return one(
        c,
        "SELECT "
            + COLUMNS
            + " FROM jobs WHERE id = ?"
            + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : ""),
        id);
  }

  private static Optional<Job> one(Connection c, String sql, String id) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, id);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** {@code owners}' jobs older than {@code cursor}, newest first. */
  public static List<Job> newestFirst(
      Connection c, OwnerScope owners, Optional<JobStatus> status, Cursor cursor, int limit)
      throws SQLException {
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM jobs WHERE 1 = 1"
            + (owners.everyone() ? "" : " AND owner = ?")
            + (status.isEmpty() ? "" : " AND status = ?")
            + (cursor.isNewest() ? "" : " AND (created_at, id) < (?, ?)")
            + " ORDER BY created_at DESC, id DESC LIMIT ?";
    try (PreparedStatement p = c.prepareStatement(sql)) {
      int i = 1;
      if (!owners.everyone()) {
        p.setString(i++, owners.owner());
      }
      if (status.isPresent()) {
        p.setString(i++, status.get().wire());
      }
      if (!cursor.isNewest()) {
        p.setString(i++, cursor.createdAt());
        p.setString(i++, cursor.id());
      }
      p.setInt(i, limit);
      return rows(p);
    }
  }

  /** Where job {@code id} sits in the listing order, if it exists and is of {@code owners}. */
  public static Optional<Cursor> cursor(Connection c, OwnerScope owners, String id)
      throws SQLException {
    return Cursor.of(c, "SELECT created_at, id, owner FROM jobs WHERE id = ?", owners, id);
  }

  /** How many jobs have {@code status}. */
  public static int count(Connection c, JobStatus status) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM jobs WHERE status = ?")) {
      p.setString(1, status.wire());
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** How many of key {@code keyId}'s jobs are queued or running. */
  public static int unfinished(Connection c, String keyId) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT COUNT(*) FROM jobs WHERE key_id = ? AND status IN ('queued', 'in_progress')")) {
      p.setString(1, keyId);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** How many queued jobs arrived before job {@code id}. */
  public static int queuedAhead(Connection c, String id) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT COUNT(*) FROM jobs q, jobs j WHERE j.id = ? AND q.status = 'queued'"
                + " AND (q.created_at, q.id) < (j.created_at, j.id)")) {
      p.setString(1, id);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * The id of the next job to claim: the queued job of the owner whose last claim is oldest (an
   * owner never claimed first), oldest first within an owner, among the jobs for {@code models}
   * (any job when empty; a job of no model is for every worker). On PostgreSQL the row is locked,
   * and rows other transactions hold are skipped.
   */
  public static Optional<String> next(Connection c, Dialect dialect, Set<String> models)
      throws SQLException {
    List<String> served = List.copyOf(new TreeSet<>(models));
    String sql =
        "SELECT j.id FROM jobs j LEFT JOIN job_owners o ON o.owner = j.owner"
            + " WHERE j.status = 'queued'"
            + (served.isEmpty()
                ? ""
                : " AND (j.model = '' OR j.model IN ("
                    + String.join(", ", java.util.Collections.nCopies(served.size(), "?"))
                    + "))")
            + " ORDER BY COALESCE(o.last_claimed_at, ''), j.created_at, j.id LIMIT 1"
            + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE OF j SKIP LOCKED" : "");
    try (PreparedStatement p = c.prepareStatement(sql)) {
      for (int i = 0; i < served.size(); i++) {
        p.setString(i + 1, served.get(i));
      }
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Marks queued job {@code id} in progress under {@code worker}'s lease; false if not queued. */
  public static boolean start(
      Connection c, String id, String worker, Instant now, Instant leaseUntil) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE jobs SET status = 'in_progress', started_at = ?, attempts = attempts + 1,"
                + " lease_owner = ?, lease_expires_at = ?, progress = ''"
                + " WHERE id = ? AND status = 'queued'")) {
      p.setString(1, Timestamps.sortable(now));
      p.setString(2, worker);
      p.setString(3, Timestamps.sortable(leaseUntil));
      p.setString(4, id);
      return p.executeUpdate() == 1;
    }
  }

  /** Records that {@code owner} had a job claimed at {@code at}. */
  public static void claimedFor(Connection c, String owner, Instant at) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO job_owners (owner, last_claimed_at) VALUES (?, ?)"
                + " ON CONFLICT (owner) DO UPDATE SET last_claimed_at = excluded.last_claimed_at")) {
      p.setString(1, owner);
      p.setString(2, Timestamps.sortable(at));
      p.executeUpdate();
    }
  }

  /** Renews {@code worker}'s lease on running job {@code id}; false if it does not hold it. */
  public static boolean renew(
      Connection c, String id, String worker, Instant until, String progress) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE jobs SET lease_expires_at = ?, progress = ?"
                + " WHERE id = ? AND status = 'in_progress' AND lease_owner = ?")) {
      p.setString(1, Timestamps.sortable(until));
      p.setString(2, progress);
      p.setString(3, id);
      p.setString(4, worker);
      return p.executeUpdate() == 1;
    }
  }

  /**
   * Ends running job {@code id} held by {@code worker} with {@code status}; false (and nothing
   * changed) if it does not hold it.
   */
  public static boolean finish(
      Connection c,
      String id,
      String worker,
      JobStatus status,
      Instant at,
      int resultStatus,
      String result,
      String error)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE jobs SET status = ?, completed_at = ?, result_status = ?, result = ?,"
                + " error = ?, lease_owner = '', lease_expires_at = ''"
                + " WHERE id = ? AND status = 'in_progress' AND lease_owner = ?")) {
      p.setString(1, status.wire());
      p.setString(2, Timestamps.sortable(at));
      p.setInt(3, resultStatus);
      p.setString(4, result);
      p.setString(5, error);
      p.setString(6, id);
      p.setString(7, worker);
      return p.executeUpdate() == 1;
    }
  }

  /**
   * Ends job {@code id} (in any state the caller checked) with {@code status} and {@code error}.
   */
  public static void end(Connection c, String id, JobStatus status, Instant at, String error)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE jobs SET status = ?, completed_at = ?, error = ?, lease_owner = '',"
                + " lease_expires_at = '' WHERE id = ?")) {
      p.setString(1, status.wire());
      p.setString(2, Timestamps.sortable(at));
      p.setString(3, error);
      p.setString(4, id);
      p.executeUpdate();
    }
  }

  /** Asks running job {@code id}'s worker to stop. */
  public static void requestCancel(Connection c, String id) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("UPDATE jobs SET cancel_requested = 1 WHERE id = ?")) {
      p.setString(1, id);
      p.executeUpdate();
    }
  }

  /** Whether a cancel was requested for job {@code id}. */
  public static boolean cancelRequested(Connection c, String id) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("SELECT cancel_requested FROM jobs WHERE id = ?")) {
      p.setString(1, id);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() && rs.getInt(1) != 0;
      }
    }
  }

  /** Puts job {@code id} back in the queue, its lease and progress cleared. */
  public static void requeue(Connection c, String id) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE jobs SET status = 'queued', lease_owner = '', lease_expires_at = '',"
                + " progress = '', started_at = '' WHERE id = ?")) {
      p.setString(1, id);
      p.executeUpdate();
    }
  }

  /** Gives {@code worker}'s running job {@code id} back to the queue, uncounting the attempt. */
  public static boolean release(Connection c, String id, String worker) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE jobs SET status = 'queued', lease_owner = '', lease_expires_at = '',"
                + " progress = '', started_at = '', attempts = attempts - 1"
                + " WHERE id = ? AND status = 'in_progress' AND lease_owner = ?")) {
      p.setString(1, id);
      p.setString(2, worker);
      return p.executeUpdate() == 1;
    }
  }

  /** Running jobs whose lease expired before {@code now}, locked on PostgreSQL. */
  public static List<Job> expired(Connection c, Dialect dialect, Instant now) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM jobs WHERE status = 'in_progress' AND lease_expires_at < ?"
                + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : ""))) {
      p.setString(1, Timestamps.sortable(now));
      return rows(p);
    }
  }

  /** The input blobs of jobs that have not ended (they may still run). */
  public static Set<String> pendingInputs(Connection c) throws SQLException {
    Set<String> out = new TreeSet<>();
    try (PreparedStatement p =
            c.prepareStatement(
                "SELECT inputs FROM jobs WHERE status IN ('queued', 'in_progress')"
                    + " AND inputs <> ''");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.addAll(Arrays.asList(rs.getString(1).split(",")));
      }
    }
    return out;
  }

  /** {@code owner}'s remembered {@code key}. */
  public static Optional<Idempotency.Entry> idempotencyEntry(
      Connection c, Dialect dialect, String owner, String key) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT request_hash, job_id, response_status, response, created_at"
                + " FROM idempotency_keys WHERE owner = ? AND idempotency_key = ?"
                + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : ""))) {
      p.setString(1, owner);
      p.setString(2, key);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Idempotency.Entry(
                rs.getString(1),
                rs.getString(2),
                rs.getInt(3),
                rs.getString(4),
                Instant.parse(rs.getString(5))));
      }
    }
  }

  /**
   * Takes {@code key} (replacing a forgotten entry) for job {@code jobId} ({@code ""} for a request
   * that makes none).
   */
  public static void takeKey(Connection c, Idempotency.Key key, String jobId) throws SQLException {
    deleteKey(c, key.owner(), key.key());
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO idempotency_keys (owner, idempotency_key, request_hash, job_id,"
                + " created_at) VALUES (?, ?, ?, ?, ?)")) {
      p.setString(1, key.owner());
      p.setString(2, key.key());
      p.setString(3, key.requestHash());
      p.setString(4, jobId);
      p.setString(5, Timestamps.sortable(key.at()));
      p.executeUpdate();
    }
  }

  /** Records the response of the request holding {@code owner}'s {@code key}. */
  public static void respond(Connection c, String owner, String key, int status, String body)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "UPDATE idempotency_keys SET response_status = ?, response = ?"
                + " WHERE owner = ? AND idempotency_key = ?")) {
      p.setInt(1, status);
      p.setString(2, body);
      p.setString(3, owner);
      p.setString(4, key);
      p.executeUpdate();
    }
  }

  /** Forgets {@code owner}'s {@code key}. */
  public static void deleteKey(Connection c, String owner, String key) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "DELETE FROM idempotency_keys WHERE owner = ? AND idempotency_key = ?")) {
      p.setString(1, owner);
      p.setString(2, key);
      p.executeUpdate();
    }
  }

  private static List<Job> rows(PreparedStatement p) throws SQLException {
    List<Job> out = new ArrayList<>();
    try (ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(row(rs));
      }
    }
    return out;
  }

  private static Job row(ResultSet rs) throws SQLException {
    String inputs = rs.getString("inputs");
    return new Job(
        rs.getString("id"),
        rs.getString("owner"),
        rs.getString("key_id"),
        rs.getString("kind"),
        JobStatus.of(rs.getString("status"))
            .orElseThrow(() -> new SQLException("unknown job status in row")),
        rs.getString("request"),
        inputs.isEmpty() ? Set.of() : Set.of(inputs.split(",")),
        rs.getInt("n"),
        Instant.parse(rs.getString("created_at")),
        instant(rs.getString("started_at")),
        instant(rs.getString("completed_at")),
        rs.getInt("attempts"),
        rs.getString("lease_owner"),
        instant(rs.getString("lease_expires_at")),
        rs.getInt("cancel_requested") != 0,
        rs.getString("progress"),
        rs.getInt("result_status"),
        rs.getString("result"),
        rs.getString("error"),
        rs.getString("model"));
  }

  private static String text(Optional<Instant> t) {
    return t.map(Timestamps::sortable).orElse("");
  }

  private static Optional<Instant> instant(String text) {
    return text.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(text));
  }

  /** Inserts (or replaces) a partial image event of a running job. */
  public static void savePartial(
      Connection c, String jobId, String worker, long eventId, String data, Instant at)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO job_partials (job_id, worker, event_id, data, created_at)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id, worker, event_id)"
                + " DO UPDATE SET data = excluded.data, created_at = excluded.created_at")) {
      p.setString(1, jobId);
      p.setString(2, worker);
      p.setLong(3, eventId);
      p.setString(4, data);
      p.setString(5, Timestamps.sortable(at));
      p.executeUpdate();
    }
  }

  /** A partial image event kept by {@link #savePartial}. */
  public static Optional<String> partial(Connection c, String jobId, String worker, long eventId)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT data FROM job_partials WHERE job_id = ? AND worker = ? AND event_id = ?")) {
      p.setString(1, jobId);
      p.setString(2, worker);
      p.setLong(3, eventId);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
      }
    }
  }

  /** Every partial image event kept for {@code jobId}, by worker and event number. */
  public static List<dev.atelier.store.JobStore.PartialImage> partials(Connection c, String jobId)
      throws SQLException {
    List<dev.atelier.store.JobStore.PartialImage> out = new ArrayList<>();
    try (PreparedStatement p =
        c.prepareStatement(
            "SELECT worker, event_id, data FROM job_partials WHERE job_id = ?"
                + " ORDER BY worker, event_id")) {
      p.setString(1, jobId);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.add(
              new dev.atelier.store.JobStore.PartialImage(
                  r.getString(1), r.getLong(2), r.getString(3)));
        }
      }
    }
    return out;
  }

  /**
   * Deletes the partial images of jobs that ended before {@code endedBefore} (or no longer exist),
   * and all stored before {@code storedBefore}.
   */
  public static int sweepPartials(Connection c, Instant endedBefore, Instant storedBefore)
      throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "DELETE FROM job_partials WHERE created_at < ? OR NOT EXISTS (SELECT 1 FROM jobs j"
                + " WHERE j.id = job_partials.job_id AND (j.status IN ('queued', 'in_progress')"
                + " OR j.completed_at >= ?))")) {
      p.setString(1, Timestamps.sortable(storedBefore));
      p.setString(2, Timestamps.sortable(endedBefore));
      return p.executeUpdate();
    }
  }
}
