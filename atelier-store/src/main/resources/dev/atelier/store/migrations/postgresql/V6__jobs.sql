-- Atelier schema version 6: image work as durable jobs (docs/adr/0021-jobs-table-with-leases.md).
-- A job is the request that asked for images, kept until it ran: status moves
-- queued -> in_progress -> completed | failed | cancelled. A worker claims a queued job by
-- setting lease_owner and lease_expires_at and keeps the lease with heartbeats; a job whose lease
-- expired (its worker died) is queued again, or failed as 'interrupted' after max attempts.
-- request is the canonical request (JSON: route, path parameters, fields, input blobs), inputs
-- the SHA-256s of the input images it names (kept out of the orphan sweep while the job runs).
-- result is the body the waiting call returns, result_status its HTTP status; error the OpenAI
-- error object of a failed job. '' means "none" as elsewhere in the schema.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  key_id TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  request TEXT NOT NULL,
  inputs TEXT NOT NULL DEFAULT '',
  n INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT NOT NULL DEFAULT '',
  completed_at TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_expires_at TEXT NOT NULL DEFAULT '',
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  progress TEXT NOT NULL DEFAULT '',
  result_status INTEGER NOT NULL DEFAULT 0,
  result TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT ''
);

CREATE INDEX jobs_status_created ON jobs (status, created_at, id);

CREATE INDEX jobs_owner_created ON jobs (owner, created_at, id);

-- When each owner last had a job claimed: the claim takes the owner waiting longest (round robin).
CREATE TABLE job_owners (
  owner TEXT PRIMARY KEY,
  last_claimed_at TEXT NOT NULL
);

-- Idempotency-Key of a POST, per owner: the hash of what was sent, and either the job it made
-- or the response it got. A row with neither is a request still running.
CREATE TABLE idempotency_keys (
  owner TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  job_id TEXT NOT NULL DEFAULT '',
  response_status INTEGER NOT NULL DEFAULT 0,
  response TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (owner, idempotency_key)
);
