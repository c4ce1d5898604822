-- When the submission's raw message and results file were removed after
-- the retention period ('' while they are kept). The row, its counts, its
-- mail and its audit stay.
ALTER TABLE submissions ADD COLUMN purged_at TEXT NOT NULL DEFAULT '';
