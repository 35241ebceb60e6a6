-- Atelier schema version 5: who owns each image and session (the owner of the API key that made
-- it). Rounds have no column: they are their session's. Rows made before keys existed belong to
-- '' (the single user of a keyless server). Listings show one owner's rows newest first.
ALTER TABLE images ADD COLUMN owner TEXT NOT NULL DEFAULT '';

ALTER TABLE sessions ADD COLUMN owner TEXT NOT NULL DEFAULT '';

CREATE INDEX images_owner_created ON images (owner, created_at, id);

CREATE INDEX sessions_owner_created ON sessions (owner, created_at, id);
