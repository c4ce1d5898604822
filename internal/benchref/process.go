package benchref

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"connectord/pushfile"
	"connectord/store"
)

// Counts are the rows of each result.
type Counts struct {
	Invalid, NoChange, Updated, New int
}

// Total is the number of rows.
func (c Counts) Total() int { return c.Invalid + c.NoChange + c.Updated + c.New }

// managed are the fields a row may change, in the column order of
// selectSQL and upsertSQL after the address.
var managed = []pushfile.Field{
	pushfile.OrganisationUnit, pushfile.Title, pushfile.FirstName, pushfile.LastName, pushfile.JobTitle,
	pushfile.ClinicalRole, pushfile.ClinicalSpeciality, pushfile.WorkArea, pushfile.EmailSize,
	pushfile.OfficePhone, pushfile.MobilePhone, pushfile.Fax, pushfile.Pager,
}

const selectSQL = `SELECT address, org_unit, title, first_name, last_name, job_title, clinical_role, clinical_speciality,
	work_area, email_size, office_phone, mobile_phone, fax, pager FROM mailboxes WHERE local_id = ?`

const upsertSQL = `INSERT INTO mailboxes (address, org_unit, title, first_name, last_name, job_title, clinical_role,
	clinical_speciality, work_area, email_size, office_phone, mobile_phone, fax, pager, local_id, org_code, kind,
	name_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Mailbox', ?, ?, ?)
	ON CONFLICT (local_id) DO UPDATE SET org_unit = excluded.org_unit, title = excluded.title,
	first_name = excluded.first_name, last_name = excluded.last_name, job_title = excluded.job_title,
	clinical_role = excluded.clinical_role, clinical_speciality = excluded.clinical_speciality,
	work_area = excluded.work_area, email_size = excluded.email_size, office_phone = excluded.office_phone,
	mobile_phone = excluded.mobile_phone, fax = excluded.fax, pager = excluded.pager,
	name_key = excluded.name_key, updated_at = excluded.updated_at`

// Process applies the push file in to the directory in db the naive way
// (see the package documentation) and writes the results file to out. New
// entries are named <local id>@domain.
func Process(ctx context.Context, db *sql.DB, in io.ReadSeeker, out io.Writer, domain string, now time.Time) (Counts, error) {
	reg, err := readRegistry(ctx, db)
	if err != nil {
		return Counts{}, err
	}
	rd, err := pushfile.Open(in, pushfile.Options{Registry: reg})
	if err != nil {
		return Counts{}, err
	}
	rw, err := pushfile.NewResultsWriter(out, rd)
	if err != nil {
		return Counts{}, err
	}
	l := &loop{ctx: ctx, db: db, domain: domain, now: now.UTC().Format("2006-01-02T15:04:05.000Z")}
	defer l.rollback()
	var c Counts
	for n := 1; ; n++ {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return c, err
		}
		res, err := l.apply(row)
		if err != nil {
			return c, fmt.Errorf("line %d: %w", row.Line, err)
		}
		switch res.Status {
		case "INVALID":
			c.Invalid++
		case "PROCESSED_NO_CHANGE":
			c.NoChange++
		case "PROCESSED_UPDATED":
			c.Updated++
		default:
			c.New++
		}
		if err := rw.Write(row, res); err != nil {
			return c, err
		}
		if n%TxRows == 0 {
			if err := l.commit(); err != nil {
				return c, err
			}
		}
	}
	if err := l.commit(); err != nil {
		return c, err
	}
	return c, rw.Flush()
}

// loop is the open transaction and its statements.
type loop struct {
	ctx         context.Context
	db          *sql.DB
	domain, now string
	tx          *sql.Tx
	sel, upsert *sql.Stmt
	cur         [14]string // the selected entry: address, then the managed fields
	dest, args  []any
}

func (l *loop) begin() error {
	var err error
	if l.tx, err = l.db.BeginTx(l.ctx, nil); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if l.sel, err = l.tx.PrepareContext(l.ctx, selectSQL); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if l.upsert, err = l.tx.PrepareContext(l.ctx, upsertSQL); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return nil
}

func (l *loop) commit() error {
	if l.tx == nil {
		return nil
	}
	err := l.tx.Commit()
	l.tx = nil
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (l *loop) rollback() {
	if l.tx != nil {
		l.tx.Rollback()
	}
}

// apply decides and writes one row.
func (l *loop) apply(row *pushfile.Row) (pushfile.Result, error) {
	if !row.Valid() {
		return pushfile.Result{Status: "INVALID", Detail: row.Detail()}, nil
	}
	if l.tx == nil {
		if err := l.begin(); err != nil {
			return pushfile.Result{}, err
		}
	}
	v := &row.Value
	if l.dest == nil {
		for i := range l.cur {
			l.dest = append(l.dest, &l.cur[i])
		}
	}
	err := l.sel.QueryRowContext(l.ctx, v[pushfile.LocalID]).Scan(l.dest...)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return pushfile.Result{}, fmt.Errorf("select %s: %w", v[pushfile.LocalID], err)
	}
	if !found {
		l.cur = [14]string{strings.ToLower(v[pushfile.LocalID]) + "@" + l.domain}
		l.cur[1+8] = "4" // EmailSize
	}
	changed := false
	for i, f := range managed {
		if s := v[f]; s != "" && s != l.cur[1+i] {
			l.cur[1+i], changed = s, true
		}
	}
	res := pushfile.Result{Status: "PROCESSED_NO_CHANGE", EmailAddress: l.cur[0]}
	if !changed && found {
		return res, nil
	}
	res.Status = "PROCESSED_UPDATED"
	if !found {
		res.Status = "PROCESSED_NEW"
	}
	size, _ := strconv.Atoi(l.cur[1+8])
	l.args = l.args[:0]
	for i, s := range l.cur {
		if i == 1+8 {
			l.args = append(l.args, size)
		} else {
			l.args = append(l.args, s)
		}
	}
	l.args = append(l.args, v[pushfile.LocalID], v[pushfile.Organisation], store.NameKey(l.cur[3], l.cur[4]), l.now, l.now)
	if _, err := l.upsert.ExecContext(l.ctx, l.args...); err != nil {
		return pushfile.Result{}, fmt.Errorf("upsert %s: %w", v[pushfile.LocalID], err)
	}
	return res, nil
}
