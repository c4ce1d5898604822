-- Files kept in the database, in chunks of a fixed size: on PostgreSQL the
-- raw messages of the spool (and the results files), so that every node
-- reads every file without a shared filesystem. SQLite deployments keep
-- them as files in the data directory; the table is there so that both
-- schemas are one version.
CREATE TABLE blob_chunks (
	name TEXT NOT NULL,
	seq  INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (name, seq)
) WITHOUT ROWID;
