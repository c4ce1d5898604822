-- Where the poller is in each IMAP mailbox.
CREATE TABLE imap_state (
	mailbox     TEXT PRIMARY KEY,
	uidvalidity INTEGER NOT NULL,
	last_uid    INTEGER NOT NULL
) WITHOUT ROWID;

-- Every message that reached the connector mailbox, with its one
-- disposition (state). The raw message is kept in the spool: a segment file
-- and the byte range in it.
CREATE TABLE submissions (
	id            INTEGER PRIMARY KEY,
	uidvalidity   INTEGER NOT NULL,
	uid           INTEGER NOT NULL,
	sha256        TEXT NOT NULL UNIQUE,
	spool_segment TEXT NOT NULL,
	spool_offset  INTEGER NOT NULL,
	spool_size    INTEGER NOT NULL,
	received_at   TEXT NOT NULL,            -- IMAP INTERNALDATE, UTC
	message_id    TEXT NOT NULL DEFAULT '',
	sender        TEXT NOT NULL DEFAULT '',
	subject       TEXT NOT NULL DEFAULT '',
	filename      TEXT NOT NULL DEFAULT '',
	file_sha256   TEXT NOT NULL DEFAULT '',
	file_size     INTEGER NOT NULL DEFAULT 0,
	file_rows     INTEGER NOT NULL DEFAULT 0,
	file_invalid  INTEGER NOT NULL DEFAULT 0,
	batch_day     TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD in the batch time zone
	state         TEXT NOT NULL CHECK (state IN ('accepted', 'held', 'superseded', 'rejected', 'ignored', 'processed')),
	reason        TEXT NOT NULL DEFAULT '',
	superseded_by INTEGER REFERENCES submissions(id),
	decided_at    TEXT NOT NULL,
	reviewed_by   TEXT NOT NULL DEFAULT '',
	reviewed_at   TEXT NOT NULL DEFAULT '',
	processed_at  TEXT NOT NULL DEFAULT '',
	counts        TEXT NOT NULL DEFAULT '',  -- JSON: rows per status, once processed
	UNIQUE (uidvalidity, uid)
);
CREATE INDEX submissions_day_state ON submissions (batch_day, state);
CREATE INDEX submissions_sender_day ON submissions (sender, batch_day);
CREATE INDEX submissions_state ON submissions (state, received_at);

-- Senders whose first submission a reviewer approved: their files are
-- accepted directly from then on.
CREATE TABLE trusted_senders (
	address       TEXT PRIMARY KEY,
	approved_at   TEXT NOT NULL,
	approved_by   TEXT NOT NULL,
	submission_id INTEGER REFERENCES submissions(id)
) WITHOUT ROWID;

-- Mail to send. A row is written in the same transaction as the change it
-- reports; its Message-ID is fixed then, so a retry never makes a second,
-- different email.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL,
	submission_id   INTEGER REFERENCES submissions(id),
	recipient       TEXT NOT NULL,
	subject         TEXT NOT NULL,
	body            TEXT NOT NULL,
	in_reply_to     TEXT NOT NULL DEFAULT '',
	message_id      TEXT NOT NULL UNIQUE,
	attachment_name TEXT NOT NULL DEFAULT '',
	attachment_path TEXT NOT NULL DEFAULT '',  -- in the data directory
	-- sending: an attempt is under way; a row found so after a crash is failed
	-- for an operator rather than sent again (it may have gone).
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	sent_at         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_submission ON outbox (submission_id);
