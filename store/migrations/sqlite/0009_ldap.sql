-- With Active Directory as the directory, the fields it has no attribute
-- for (unless directory.ldap.attributes names one) are kept here, beside
-- the Local ID, so that a row sent again counts as unchanged.
CREATE TABLE ldap_fields (
	local_id            TEXT PRIMARY KEY COLLATE NOCASE,
	org_unit            TEXT NOT NULL DEFAULT '',
	clinical_role       TEXT NOT NULL DEFAULT '',
	clinical_speciality TEXT NOT NULL DEFAULT '',
	work_area           TEXT NOT NULL DEFAULT '',
	email_size          INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
