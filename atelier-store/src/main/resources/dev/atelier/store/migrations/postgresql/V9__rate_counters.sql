-- Atelier schema version 9 (PostgreSQL): per-key rate limit counters shared by every process on
-- this database (docs/adr/0025-rate-limits-in-the-database.md). One row per key, window kind and
-- window: kind 'minute' counts a key's requests in the fixed minute starting at window_start,
-- kind 'day' its images on the UTC day starting at window_start (both Unix seconds, UTC). A
-- request takes its place with one INSERT ... ON CONFLICT DO UPDATE ... WHERE count < limit
-- RETURNING count, so a refused request changes nothing. Rows of ended windows are purged.
-- (Version 8 is the workers table.)
CREATE TABLE rate_counters (
  key_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (key_id, kind, window_start)
);
