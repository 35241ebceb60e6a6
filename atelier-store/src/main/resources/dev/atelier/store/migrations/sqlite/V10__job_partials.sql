-- Atelier schema version 10: the partial images of running jobs, relayed from the
-- worker that renders them to the API nodes that stream them
-- (docs/adr/0028-partial-images-through-the-database.md). A preview is tens of kilobytes, over
-- NOTIFY's 8000-byte payload limit, so the worker stores it here and its notification names the
-- row: job, worker and the event's number in that worker's events of the job. data is the
-- partial_image event's JSON as a stream sends it. Rows of ended jobs are swept a minute after
-- their job ended; created_at (sortable UTC text, as in jobs) bounds the rest.
-- SQLite runs one process, which never relays; the table exists so that both schemas agree.
CREATE TABLE job_partials (
  job_id TEXT NOT NULL,
  worker TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (job_id, worker, event_id)
);

CREATE INDEX job_partials_created ON job_partials (created_at);
