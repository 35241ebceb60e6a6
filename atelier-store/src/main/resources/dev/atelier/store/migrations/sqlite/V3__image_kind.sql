-- Atelier schema version 3: what an image row holds. 'image' for results and uploads, 'mask' for
-- the masks edits store so that provenance can name them by id. Listings (GET /v1/images, the
-- studio's gallery) show images only; masks stay reachable by id.
ALTER TABLE images ADD COLUMN kind TEXT NOT NULL DEFAULT 'image';

UPDATE images SET kind = 'mask' WHERE provenance LIKE '%"kind":"mask"%';

CREATE INDEX images_kind_created ON images (kind, created_at, id);
