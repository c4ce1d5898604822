-- Files kept in the database, in chunks of a fixed size: on PostgreSQL the
-- raw messages of the spool (and the results files), so that every node
-- reads every file without a shared filesystem. SQLite deployments keep
-- them as files in the data directory; the table is there so that both
-- schemas are one version. The chunks are stored as they are: they are
-- mostly base64 already, and PostgreSQL's compression would cost CPU for
-- little.
CREATE TABLE blob_chunks (
	name TEXT NOT NULL,
	seq  BIGINT NOT NULL,
	data BYTEA NOT NULL,
	PRIMARY KEY (name, seq)
);
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
