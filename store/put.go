package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// mailboxInsertColumns is how many values insertSQL and upsertSQL take.
const mailboxInsertColumns = 20

const insertSQL = `INSERT INTO mailboxes (address, local_id, org_code, org_unit, kind, title, first_name, last_name, name_key,
	job_title, clinical_role, clinical_speciality, work_area, email_size, office_phone, mobile_phone, fax, pager,
	created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const upsertSQL = insertSQL + `
	ON CONFLICT (address) DO UPDATE SET local_id = excluded.local_id, org_code = excluded.org_code,
	org_unit = excluded.org_unit, kind = excluded.kind, title = excluded.title, first_name = excluded.first_name,
	last_name = excluded.last_name, name_key = excluded.name_key, job_title = excluded.job_title,
	clinical_role = excluded.clinical_role, clinical_speciality = excluded.clinical_speciality,
	work_area = excluded.work_area, email_size = excluded.email_size, office_phone = excluded.office_phone,
	mobile_phone = excluded.mobile_phone, fax = excluded.fax, pager = excluded.pager, updated_at = excluded.updated_at`

// Insert adds a new entry, setting m.ID and both times to now. On SQLite
// the INSERT has no RETURNING: the new row's id is the connection's last
// insert id, and a RETURNING would make SQLite keep a statement journal
// for it. PostgreSQL has no last insert id, so there it returns the id.
func (d *DirectoryTx) Insert(m *Mailbox, now time.Time) error {
	m.CreatedAt, m.UpdatedAt = now, now
	ts := timeText(now)
	d.setPutArgs(m, ts, ts)
	var id int64
	err := d.conn.Raw(func(dc any) error {
		if d.dialect == dialectPostgres {
			return d.insertReturning(dc, &id)
		}
		res, err := d.execRaw(dc, &d.rawInsert, insertSQL)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("create %s: %w", m.Address, err)
	}
	m.ID = id
	return nil
}

// Put adds an entry or replaces the one with the same address (directory
// import). Times are kept from m when set.
//
// A new address is a plain INSERT first: it writes one row, so SQLite
// keeps no statement journal for it. The UPSERT may write two, so it
// journals every page it touches, and in a million-row transaction that
// journal spills to a file: a pwrite a page, a third of an import's CPU
// time. Any uniqueness failure goes to the UPSERT, which decides as
// before. Both run on the driver connection with one argument list reused
// between rows, without database/sql's per-statement bookkeeping.
func (d *DirectoryTx) Put(m *Mailbox, now time.Time) error {
	created, updated := m.CreatedAt, m.UpdatedAt
	if created.IsZero() {
		created = now
	}
	if updated.IsZero() {
		updated = now
	}
	d.setPutArgs(m, timeText(created), timeText(updated))
	err := d.conn.Raw(func(dc any) error {
		if d.dialect == dialectPostgres {
			// A failed statement ends a PostgreSQL transaction, and its
			// UPSERT keeps no journal: the UPSERT alone.
			_, err := d.execRaw(dc, &d.rawUpsert, upsertSQL)
			return err
		}
		_, err := d.execRaw(dc, &d.rawInsert, insertSQL)
		if isUniqueFailure(err) {
			_, err = d.execRaw(dc, &d.rawUpsert, upsertSQL)
		}
		return err
	})
	if isLocalIDTaken(err) {
		return fmt.Errorf("import %s: Local ID %s: %w", m.Address, m.LocalID, ErrLocalIDTaken)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", m.Address, err)
	}
	return nil
}

// ErrLocalIDTaken is Put refusing an entry whose Local ID another address
// holds (ignoring ASCII case). On PostgreSQL the refusal ends the
// transaction: roll it back.
var ErrLocalIDTaken = errors.New("the Local ID is already used by another entry")

// isLocalIDTaken reports whether err is the database refusing a row for
// the uniqueness of mailboxes.local_id.
func isLocalIDTaken(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == pgUniqueViolation && pe.ConstraintName == "mailboxes_local_id_key"
	}
	return isUniqueFailure(err) && strings.Contains(err.Error(), "mailboxes.local_id")
}

// pgUniqueViolation is PostgreSQL's SQLSTATE for a unique index refusing
// a row.
const pgUniqueViolation = "23505"

// setPutArgs fills d.putArgs with m's columns in insertSQL's order.
func (d *DirectoryTx) setPutArgs(m *Mailbox, created, updated string) {
	var localID driver.Value
	if m.LocalID != "" {
		localID = m.LocalID // "" is stored as NULL: blank Local IDs never collide
	}
	for i, v := range [mailboxInsertColumns]driver.Value{m.Address, localID, m.Org, m.Unit, m.Kind, m.Title,
		m.FirstName, m.LastName, NameKey(m.FirstName, m.LastName), m.JobTitle, m.ClinicalRole,
		m.ClinicalSpeciality, m.WorkArea, int64(m.EmailSize), m.OfficePhone, m.MobilePhone, m.Fax, m.Pager,
		created, updated} {
		d.putArgs[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
}

// execRaw runs the statement *st (prepared from q on the driver
// connection dc on first use) with d.putArgs.
func (d *DirectoryTx) execRaw(dc any, st *driver.Stmt, q string) (driver.Result, error) {
	if *st == nil {
		p, err := dc.(driver.ConnPrepareContext).PrepareContext(d.ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare directory statement: %w", err)
		}
		*st = p
	}
	return (*st).(driver.StmtExecContext).ExecContext(d.ctx, d.putArgs[:])
}

// insertReturning runs insertSQL with RETURNING id on the driver
// connection dc, setting *id.
func (d *DirectoryTx) insertReturning(dc any, id *int64) error {
	if d.rawInsert == nil {
		p, err := dc.(driver.ConnPrepareContext).PrepareContext(d.ctx, insertSQL+` RETURNING id`)
		if err != nil {
			return fmt.Errorf("prepare directory statement: %w", err)
		}
		d.rawInsert = p
	}
	rows, err := d.rawInsert.(driver.StmtQueryContext).QueryContext(d.ctx, d.putArgs[:])
	if err != nil {
		return err
	}
	defer rows.Close()
	var v [1]driver.Value
	if err := rows.Next(v[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("insert returned no id")
		}
		return err
	}
	n, ok := v[0].(int64)
	if !ok {
		return fmt.Errorf("insert returned id %v (%T)", v[0], v[0])
	}
	*id = n
	return nil
}

// isUniqueFailure reports whether err is SQLite refusing a row for a
// UNIQUE constraint.
func isUniqueFailure(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
