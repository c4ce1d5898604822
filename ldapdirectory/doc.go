// Package ldapdirectory is Active Directory as the directory push files are
// applied to: provision.Directory over an activedirectory.Client. The
// fields AD has no attribute for (unless directory.ldap.attributes names
// one) are kept in connectord's store beside the Local ID, as are the audit
// trail and the organisations' creation counts; those go in the store
// transaction the caller gives, with the file's other work.
//
// A read-only Directory (the dry run and the console's preview) sends no
// change: it remembers what the file would create and change, so the rest
// of the file is decided as the real run would decide it.
package ldapdirectory
