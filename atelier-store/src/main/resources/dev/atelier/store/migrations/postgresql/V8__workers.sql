-- Atelier schema version 8: API nodes and workers as separate processes (issue 21).
-- jobs.model is the served model id the job runs on, picked when it was queued, so that a worker
-- claims only jobs for the models it serves; '' (jobs queued before this version) runs anywhere.
ALTER TABLE jobs ADD COLUMN model TEXT NOT NULL DEFAULT '';

CREATE INDEX jobs_status_model ON jobs (status, model);

-- One row per process that runs jobs, written by that process: it registers when it starts,
-- heartbeats every third of a lease and deletes its row when it stops cleanly. A row whose
-- heartbeat_at is older than three leases belongs to a process that died; it is shown as stale
-- and pruned later. models lists the served model ids with their kinds ("id=kind,id=kind");
-- state is starting (model loading), idle, running or draining; current_job '' when none.
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid BIGINT NOT NULL,
  engine TEXT NOT NULL,
  models TEXT NOT NULL,
  device TEXT NOT NULL,
  state TEXT NOT NULL,
  current_job TEXT NOT NULL DEFAULT '',
  started_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);
