-- The web console: its local accounts, their sessions, the audit of every
-- decision made through it, and failed sign-ins for throttling.

-- People who sign in to the console. Names are lower case; the password is
-- stored only as an argon2id hash (PHC string). A disabled account cannot
-- sign in and its sessions are gone.
CREATE TABLE console_users (
	name          TEXT PRIMARY KEY,
	role          TEXT NOT NULL CHECK (role IN ('reviewer', 'operator')),
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	disabled_at   TEXT NOT NULL DEFAULT ''  -- '' while the account is enabled
) WITHOUT ROWID;

-- Server-side sessions. The cookie holds a random token; only its SHA-256
-- is stored, so a copy of the database lets nobody in. csrf_token is the
-- session's form token. flash is a one-time message for the next page.
CREATE TABLE console_sessions (
	token_hash   TEXT PRIMARY KEY,
	user_name    TEXT NOT NULL REFERENCES console_users(name) ON DELETE CASCADE,
	csrf_token   TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	address      TEXT NOT NULL DEFAULT '',
	flash        TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX console_sessions_user ON console_sessions (user_name);

-- One row per decision taken in the console: approve, reject, roster
-- changes, run now, retry. subject names what was acted on.
CREATE TABLE console_audit (
	id      INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX console_audit_action ON console_audit (action, id);
CREATE INDEX console_audit_subject ON console_audit (subject, id);

-- Failed sign-ins per key ("account:NAME" or "address:IP") within a window;
-- at the limit the key is locked until locked_until.
CREATE TABLE console_login_failures (
	key          TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL,
	window_start TEXT NOT NULL,
	locked_until TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
