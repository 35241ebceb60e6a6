-- Atelier schema version 1 (SQLite).
-- Timestamps are ISO-8601 text (Instant.toString) so that they round-trip to the nanosecond in
-- both dialects; ordering uses rounds.seq, never a timestamp.
-- '' means "none" for session_id, parent_image_id and parent_id (the records never hold null).

CREATE TABLE images (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  format TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  session_id TEXT NOT NULL DEFAULT '',
  parent_image_id TEXT NOT NULL DEFAULT '',
  provenance TEXT NOT NULL
);

CREATE INDEX images_sha256 ON images (sha256);

CREATE INDEX images_session ON images (session_id);

-- head_round_id has no foreign key: sessions and their first round reference each other, and
-- the store checks the head when it moves it.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  head_round_id TEXT NOT NULL
);

-- seq is assigned by the INSERT itself (see Dialect.insertRoundSql) and gives creation order.
CREATE TABLE rounds (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  parent_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  image_id TEXT NOT NULL REFERENCES images (id),
  instruction TEXT NOT NULL,
  params TEXT NOT NULL,
  rounds_since_restart INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  seq INTEGER NOT NULL UNIQUE
);

CREATE INDEX rounds_session ON rounds (session_id, seq);
