-- With Active Directory as the directory, a file's rows are applied one at
-- a time with no transaction across them. Before a row's change is sent its
-- intent is recorded here (state 'intent'), and once applied its result
-- (state 'done'); a run that resumes the file after a crash reads them
-- back. Never a password. A file's rows are removed when it is finished.
CREATE TABLE apply_journal (
	file_key            TEXT NOT NULL,
	line                INTEGER NOT NULL,
	op                  TEXT NOT NULL CHECK (op IN ('create', 'update')),
	state               TEXT NOT NULL CHECK (state IN ('intent', 'done')),
	local_id            TEXT NOT NULL,
	status              TEXT NOT NULL DEFAULT '',
	detail              TEXT NOT NULL DEFAULT '',
	address             TEXT NOT NULL DEFAULT '',
	generated_local_id  INTEGER NOT NULL DEFAULT 0,
	generated_password  INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (file_key, line)
) WITHOUT ROWID;
