-- Atelier schema version 7 (PostgreSQL): migrations moved to Flyway (docs/adr/0024-flyway-for-schema-migrations.md),
-- whose history is flyway_schema_history. The home-made migrator's table stays, holding 7, so
-- that an Atelier from before Flyway refuses this database ("schema version is 7 but this Atelier
-- knows versions up to 6") instead of running on tables it does not know. Nothing reads it.
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);

INSERT INTO schema_version (version, applied_at) VALUES (7, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
