package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"
)

// DirectoryTx is one write transaction over the directory: a whole push
// file, or a whole directory import, is applied through one, so a crash
// leaves the directory as it was before the file or after all of it. Its
// statements are prepared once, for the speed of a million-row file.
type DirectoryTx struct {
	conn *sql.Conn // the transaction's connection, also used raw for lookups
	tx   *sql.Tx
	ctx  context.Context
	raw  driver.Stmt // the Local ID lookup, prepared on the driver connection
	// rawIn is ByLocalIDs' batch lookup, prepared on first use.
	rawIn driver.Stmt

	// rawInsert and rawUpsert write entries (Insert, Put), prepared on
	// first use; putArgs is their argument list, reused between rows.
	rawInsert, rawUpsert driver.Stmt
	putArgs              [mailboxInsertColumns]driver.NamedValue

	byAddress, nameMatch, addressTaken, localIDTaken *sql.Stmt
	update, audit, unpadded, takenRange              *sql.Stmt

	msgIDDomain string // for the Tx of Work
	work        *Tx    // prepares the statements of the rarer lookups, once each
	dialect     dialect
}

// BeginDirectory starts a directory transaction. The caller must Commit or
// Rollback it.
func (s *Store) BeginDirectory(ctx context.Context) (*DirectoryTx, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin directory transaction: %w", err)
	}
	// Statements run without the caller's cancellation: database/sql would
	// otherwise start a goroutine per query to watch it, which costs a
	// third of a million-row file's time. Processor.Apply checks ctx itself
	// between rows, and the caller rolls back on cancellation.
	d := &DirectoryTx{conn: conn, ctx: context.WithoutCancel(ctx), msgIDDomain: s.msgIDDomain, work: &Tx{}, dialect: s.dialect}
	if err := d.begin(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	err = conn.Raw(func(dc any) error {
		var err error
		d.raw, err = dc.(driver.ConnPrepareContext).PrepareContext(d.ctx, `SELECT `+matchColumns+` FROM mailboxes WHERE local_id = ?`)
		return err
	})
	if err != nil {
		d.Rollback()
		return nil, fmt.Errorf("prepare directory statement: %w", err)
	}
	return d, nil
}

// begin starts the transaction on d's connection and prepares its
// statements in it.
func (d *DirectoryTx) begin(ctx context.Context) error {
	tx, err := d.dialect.beginWrite(ctx, d.conn)
	if err != nil {
		return fmt.Errorf("directory transaction: %w", err)
	}
	d.tx = tx
	*d.work = Tx{tx: tx, ctx: d.ctx, msgIDDomain: d.msgIDDomain}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&d.byAddress, `SELECT ` + mailboxColumns + ` FROM mailboxes WHERE address = ?`},
		{&d.nameMatch, `SELECT address FROM mailboxes WHERE org_code = ? AND name_key = ? AND local_id IS NULL AND kind = 'Mailbox' ORDER BY address LIMIT 1`},
		{&d.addressTaken, `SELECT 1 FROM mailboxes WHERE address = ?`},
		{&d.takenRange, `SELECT address FROM mailboxes WHERE address >= ? AND address < ?`},
		{&d.localIDTaken, `SELECT 1 FROM mailboxes WHERE local_id = ?`},
		{&d.update, `UPDATE mailboxes SET org_unit = ?, title = ?, first_name = ?, last_name = ?, name_key = ?, job_title = ?,
			clinical_role = ?, clinical_speciality = ?, work_area = ?, email_size = ?, office_phone = ?, mobile_phone = ?,
			fax = ?, pager = ?, updated_at = ? WHERE id = ?`},
		{&d.unpadded, d.dialect.unpaddedQuery()},
		{&d.audit, `INSERT INTO audit (at, actor, source, line, action, address, local_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`},
	} {
		st, err := tx.PrepareContext(ctx, p.sql)
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("prepare directory statement: %w", err)
		}
		*p.stmt = st
	}
	return nil
}

// Tx is the underlying transaction, for other work that must commit or
// roll back together with the directory changes.
func (d *DirectoryTx) Tx() *sql.Tx { return d.tx }

// Commit makes the changes durable.
func (d *DirectoryTx) Commit() error {
	err := d.tx.Commit()
	d.release()
	if err != nil {
		return fmt.Errorf("commit directory changes: %w", err)
	}
	return nil
}

// Checkpoint commits the changes so far and goes on in a new transaction
// on the same connection, for a directory that is not in this database
// (Active Directory), whose changes cannot wait for the end of the file:
// what connectord keeps about each applied row must be durable with it.
// Work's Tx stays valid across it.
func (d *DirectoryTx) Checkpoint(ctx context.Context) error {
	if err := d.tx.Commit(); err != nil {
		return fmt.Errorf("commit directory changes: %w", err)
	}
	return d.begin(ctx)
}

// Rollback abandons the changes. It is safe after Commit.
func (d *DirectoryTx) Rollback() error {
	err := d.tx.Rollback()
	d.release()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// release closes the raw statement and returns the connection to the pool.
func (d *DirectoryTx) release() {
	if d.conn == nil {
		return
	}
	if d.raw != nil {
		d.conn.Raw(func(any) error { return d.raw.Close() })
		d.raw = nil
	}
	for _, st := range []*driver.Stmt{&d.rawIn, &d.rawInsert, &d.rawUpsert} {
		if *st != nil {
			d.conn.Raw(func(any) error { return (*st).Close() })
			*st = nil
		}
	}
	d.conn.Close()
	d.conn = nil
}

// ByLocalID loads the entry with the given Local ID into m, without its
// times. It is the hot path of a run (once per row), so it runs on
// the driver connection directly, in the same transaction, without
// database/sql's per-query bookkeeping (measured: a third of a million-row
// file's time).
func (d *DirectoryTx) ByLocalID(localID string, m *Mailbox) (bool, error) {
	var found bool
	err := d.conn.Raw(func(any) error {
		rows, err := d.raw.(driver.StmtQueryContext).QueryContext(d.ctx, []driver.NamedValue{{Ordinal: 1, Value: localID}})
		if err != nil {
			return err
		}
		defer rows.Close()
		var v [18]driver.Value
		switch err := rows.Next(v[:]); {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		found = true
		return m.fromValues(v[:])
	})
	if err != nil {
		return false, fmt.Errorf("look up Local ID %q: %w", localID, err)
	}
	return found, nil
}

// ByAddress loads the entry with the given address into m.
func (d *DirectoryTx) ByAddress(address string, m *Mailbox) (bool, error) {
	return d.scanOne(d.byAddress, address, m)
}

func (d *DirectoryTx) scanOne(st *sql.Stmt, key string, m *Mailbox) (bool, error) {
	err := scanMailbox(st.QueryRowContext(d.ctx, key), m)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up %q: %w", key, err)
	}
	return true, nil
}

// NameMatch finds a mailbox of organisation org without a Local ID whose
// folded name is nameKey (see NameKey), returning its address.
func (d *DirectoryTx) NameMatch(org, nameKey string) (string, bool, error) {
	var addr string
	err := d.nameMatch.QueryRowContext(d.ctx, org, nameKey).Scan(&addr)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("match by name: %w", err)
	}
	return addr, true, nil
}

// unpaddedQuery finds the entries of an organisation whose Local ID is a
// number with leading zeros, by the number without them. Its terms match
// the partial index mailboxes_local_id_unpadded, so it is a point lookup:
// the index's own condition, which is GLOB on SQLite (its LIKE ignores
// case, and would not match the index) and LIKE on PostgreSQL.
func (d dialect) unpaddedQuery() string {
	startsWithZero := `local_id GLOB '0*'`
	if d == dialectPostgres {
		startsWithZero = `local_id LIKE '0%'`
	}
	return `SELECT local_id, address FROM mailboxes
	WHERE ` + startsWithZero + ` AND length(ltrim(local_id, '0')) = ? AND ltrim(local_id, '0') = ? AND org_code = ?
	ORDER BY local_id LIMIT 1`
}

// ZeroPadded finds an entry of organisation org whose Local ID is number
// with leading zeros ("000123" for "123"), returning its Local ID and
// address. number must not start with a zero itself.
func (d *DirectoryTx) ZeroPadded(number, org string) (localID, address string, found bool, err error) {
	err = d.unpadded.QueryRowContext(d.ctx, utf8.RuneCountInString(number), number, org).Scan(&localID, &address)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("look up Local ID %q with leading zeros: %w", number, err)
	}
	return localID, address, true, nil
}

// AddressTaken reports whether an entry has this address.
func (d *DirectoryTx) AddressTaken(address string) (bool, error) {
	return d.exists(d.addressTaken, address)
}

// LocalIDTaken reports whether an entry has this Local ID.
func (d *DirectoryTx) LocalIDTaken(localID string) (bool, error) {
	return d.exists(d.localIDTaken, localID)
}

func (d *DirectoryTx) exists(st *sql.Stmt, key string) (bool, error) {
	var one int
	err := st.QueryRowContext(d.ctx, key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up %q: %w", key, err)
	}
	return true, nil
}

// Update writes the managed fields of an existing entry (by m.ID). The
// address, Local ID, organisation and kind are never changed by a file.
func (d *DirectoryTx) Update(m *Mailbox, now time.Time) error {
	m.UpdatedAt = now
	_, err := d.update.ExecContext(d.ctx, m.Unit, m.Title, m.FirstName, m.LastName, NameKey(m.FirstName, m.LastName),
		m.JobTitle, m.ClinicalRole, m.ClinicalSpeciality, m.WorkArea, m.EmailSize, m.OfficePhone, m.MobilePhone,
		m.Fax, m.Pager, timeText(now), m.ID)
	if err != nil {
		return fmt.Errorf("update %s: %w", m.Address, err)
	}
	return nil
}

// AuditEntry records one applied change.
type AuditEntry struct {
	At      time.Time
	Actor   string // the sender, or the operator
	Source  string // the file
	Line    int
	Action  string // create | update | import
	Address string
	LocalID string
	Before  string // JSON object of the changed fields' old values
	After   string // JSON object of the changed fields' new values
}

// Audit appends one row to the audit trail (the audit table); a person's
// decision goes to console_audit with Tx.AddConsoleAudit instead.
func (d *DirectoryTx) Audit(a AuditEntry) error {
	_, err := d.audit.ExecContext(d.ctx, timeText(a.At), a.Actor, a.Source, a.Line, a.Action, a.Address, a.LocalID, a.Before, a.After)
	if err != nil {
		return fmt.Errorf("audit %s: %w", a.Address, err)
	}
	return nil
}

// CreationCounts returns each organisation's creation limit and how many
// mailboxes connectord has created for it.
func (d *DirectoryTx) CreationCounts() (map[string][2]int, error) {
	rows, err := d.tx.QueryContext(d.ctx, `SELECT code, creation_limit, created_count FROM organisations`)
	if err != nil {
		return nil, fmt.Errorf("read creation limits: %w", err)
	}
	defer rows.Close()
	out := map[string][2]int{}
	for rows.Next() {
		var code string
		var limit, created int
		if err := rows.Scan(&code, &limit, &created); err != nil {
			return nil, fmt.Errorf("read creation limits: %w", err)
		}
		out[code] = [2]int{limit, created}
	}
	return out, rows.Err()
}

// AddCreated adds n to an organisation's count of created mailboxes.
func (d *DirectoryTx) AddCreated(org string, n int) error {
	if _, err := d.tx.ExecContext(d.ctx, `UPDATE organisations SET created_count = created_count + ? WHERE code = ?`, n, org); err != nil {
		return fmt.Errorf("count created mailboxes of %s: %w", org, err)
	}
	return nil
}
