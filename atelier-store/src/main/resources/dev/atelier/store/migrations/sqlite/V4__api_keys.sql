-- Atelier schema version 4: API keys, shared by `atelier keys` and a running server.
-- The secret itself is never stored: hash is the hex SHA-256 of it (see docs/adr/0018), prefix
-- the first 8 characters after atl_ so that lists can show which key is which.
-- scopes is a comma-separated list (images, sessions, admin); limits of 0 mean none.
-- '' means "never" for last_used_at and revoked_at, as '' means "none" elsewhere in the schema.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  prefix TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  requests_per_minute INTEGER NOT NULL,
  images_per_day INTEGER NOT NULL,
  concurrent_generations INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT NOT NULL DEFAULT '',
  revoked_at TEXT NOT NULL DEFAULT ''
);

-- A name names one active key; a revoked key's name may be reused.
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at = '';
