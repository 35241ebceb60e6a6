-- Atelier schema version 2 (PostgreSQL): newest-first listings of images and sessions.
-- created_at of images and sessions becomes fixed-width text (nine fraction digits, as
-- Timestamps.sortable writes it from now on) so that text order is time order: Instant.toString
-- wrote 0, 3, 6 or 9 digits, and '...12:00:00Z' sorts after '...12:00:00.500Z'. Both sides of
-- the rewrite parse to the same Instant. Listings page on (created_at, id), newest first.

UPDATE images SET created_at = CASE length(created_at)
  WHEN 20 THEN substr(created_at, 1, 19) || '.000000000Z'
  WHEN 24 THEN substr(created_at, 1, 23) || '000000Z'
  WHEN 27 THEN substr(created_at, 1, 26) || '000Z'
  ELSE created_at END;

UPDATE sessions SET created_at = CASE length(created_at)
  WHEN 20 THEN substr(created_at, 1, 19) || '.000000000Z'
  WHEN 24 THEN substr(created_at, 1, 23) || '000000Z'
  WHEN 27 THEN substr(created_at, 1, 26) || '000Z'
  ELSE created_at END;

CREATE INDEX images_created ON images (created_at, id);

CREATE INDEX sessions_created ON sessions (created_at, id);
