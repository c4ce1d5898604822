-- How each night's run read the mailbox before it started: 'synced';
-- 'unreachable', it could not be read within batch.sync_timeout; or
-- 'skipped', the run was told not to (batch run -no-sync). synced stays 1
-- only for 'synced'. Runs recorded unsynced before this column existed
-- are taken as unreachable.
ALTER TABLE batch_runs ADD COLUMN sync TEXT NOT NULL DEFAULT 'synced'
	CHECK (sync IN ('synced', 'unreachable', 'skipped'));
UPDATE batch_runs SET sync = 'unreachable' WHERE synced = 0;

-- The name of every attachment of the message, in order, as a JSON array
-- of strings ('' for an attachment without a name; at most 20 names):
-- a rejection for several CSV files, or a workbook named .csv, names
-- them all. filename keeps the one CSV file (or the first attachment).
ALTER TABLE submissions ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
