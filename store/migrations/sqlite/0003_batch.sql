-- One row per night's run (a batch day). A run holds the lock row while it
-- works, so two processes can never run a night at once.
CREATE TABLE batch_runs (
	id          INTEGER PRIMARY KEY,
	batch_day   TEXT NOT NULL,            -- YYYY-MM-DD: files of this day and earlier
	started_at  TEXT NOT NULL,
	finished_at TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
	trigger     TEXT NOT NULL DEFAULT '',  -- schedule | catch-up | command | console
	synced      INTEGER NOT NULL DEFAULT 1, -- 0: the mailbox could not be synced first
	files       INTEGER NOT NULL DEFAULT 0,
	counts      TEXT NOT NULL DEFAULT '',  -- JSON rows per status
	errors      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX batch_runs_day ON batch_runs (batch_day);

CREATE TABLE batch_lock (
	name       TEXT PRIMARY KEY,
	run_id     INTEGER NOT NULL,
	holder     TEXT NOT NULL,   -- host:pid
	taken_at   TEXT NOT NULL
) WITHOUT ROWID;
