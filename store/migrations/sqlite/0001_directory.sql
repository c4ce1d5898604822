-- Organisations (ODS/ISD codes) and their units.
CREATE TABLE organisations (
	code           TEXT PRIMARY KEY,
	name           TEXT NOT NULL DEFAULT '',
	creation_limit INTEGER NOT NULL DEFAULT 0 CHECK (creation_limit >= 0),
	-- mailboxes connectord has created for this organisation
	created_count  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE org_units (
	org_code  TEXT NOT NULL REFERENCES organisations(code) ON DELETE CASCADE,
	unit_code TEXT NOT NULL,
	PRIMARY KEY (org_code, unit_code)
) WITHOUT ROWID;

-- The Connector roster: who may submit files, for which organisations.
CREATE TABLE senders (
	address  TEXT PRIMARY KEY,
	added_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sender_orgs (
	address  TEXT NOT NULL REFERENCES senders(address) ON DELETE CASCADE,
	org_code TEXT NOT NULL REFERENCES organisations(code),
	PRIMARY KEY (address, org_code)
) WITHOUT ROWID;

-- The directory: mailboxes and NHSmail 1 contacts.
CREATE TABLE mailboxes (
	id                  INTEGER PRIMARY KEY,
	address             TEXT NOT NULL UNIQUE,
	-- Local IDs match without regard to case, as in the file reader.
	local_id            TEXT UNIQUE COLLATE NOCASE,
	org_code            TEXT NOT NULL REFERENCES organisations(code),
	org_unit            TEXT NOT NULL DEFAULT '',
	kind                TEXT NOT NULL CHECK (kind IN ('Mailbox', 'Contact')),
	title               TEXT NOT NULL DEFAULT '',
	first_name          TEXT NOT NULL DEFAULT '',
	last_name           TEXT NOT NULL DEFAULT '',
	-- folded "first last" (lower case, accents removed) for duplicate matching
	name_key            TEXT NOT NULL DEFAULT '',
	job_title           TEXT NOT NULL DEFAULT '',
	clinical_role       TEXT NOT NULL DEFAULT '',
	clinical_speciality TEXT NOT NULL DEFAULT '',
	work_area           TEXT NOT NULL DEFAULT '',
	email_size          INTEGER NOT NULL DEFAULT 4,
	office_phone        TEXT NOT NULL DEFAULT '',
	mobile_phone        TEXT NOT NULL DEFAULT '',
	fax                 TEXT NOT NULL DEFAULT '',
	pager               TEXT NOT NULL DEFAULT '',
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL
);

-- Mailboxes created by hand have no Local ID; a pushed row that matches one
-- by organisation and name is reported PROCESSED_DUPLICATE.
CREATE INDEX mailboxes_without_local_id ON mailboxes (org_code, name_key)
	WHERE local_id IS NULL AND kind = 'Mailbox';

-- One row per applied change.
CREATE TABLE audit (
	id       INTEGER PRIMARY KEY,
	at       TEXT NOT NULL,
	actor    TEXT NOT NULL,
	source   TEXT NOT NULL DEFAULT '',
	line     INTEGER NOT NULL DEFAULT 0,
	action   TEXT NOT NULL,
	address  TEXT NOT NULL DEFAULT '',
	local_id TEXT NOT NULL DEFAULT '',
	before   TEXT NOT NULL DEFAULT '',
	after    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_address ON audit (address);
