package benchref

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"connectord/store"
)

// reportColumns are the Mailbox Report's columns, in the order the
// UPSERT takes them (without the name key and times).
var reportColumns = []string{"EmailAddress", "Local ID", "Organisation", "OrganisationUnit", "Type", "Title",
	"FirstName", "LastName", "JobTitle", "ClinicalRole", "ClinicalSpeciality", "WorkArea", "EmailSize",
	"OfficePhone", "MobilePhone", "Fax", "Pager"}

const importSQL = `INSERT INTO mailboxes (address, local_id, org_code, org_unit, kind, title, first_name, last_name,
	job_title, clinical_role, clinical_speciality, work_area, email_size, office_phone, mobile_phone, fax, pager,
	name_key, created_at, updated_at) VALUES (?, nullif(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (address) DO UPDATE SET local_id = excluded.local_id, org_code = excluded.org_code,
	org_unit = excluded.org_unit, kind = excluded.kind, title = excluded.title, first_name = excluded.first_name,
	last_name = excluded.last_name, job_title = excluded.job_title, clinical_role = excluded.clinical_role,
	clinical_speciality = excluded.clinical_speciality, work_area = excluded.work_area,
	email_size = excluded.email_size, office_phone = excluded.office_phone, mobile_phone = excluded.mobile_phone,
	fax = excluded.fax, pager = excluded.pager, name_key = excluded.name_key, updated_at = excluded.updated_at`

// Import loads a Mailbox Report into the directory in db the naive way
// (see the package documentation) and returns the number of rows. It
// checks only that each row has every column.
func Import(ctx context.Context, db *sql.DB, in io.Reader, now time.Time) (int, error) {
	cr := csv.NewReader(in)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return 0, fmt.Errorf("header: %w", err)
	}
	idx := make([]int, len(reportColumns))
	for i, c := range reportColumns {
		idx[i] = -1
		for j, h := range head {
			if strings.TrimPrefix(h, "\uFEFF") == c {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return 0, fmt.Errorf("header: no %s column", c)
		}
	}
	ts := now.UTC().Format("2006-01-02T15:04:05.000Z")
	var tx *sql.Tx
	var st *sql.Stmt
	defer func() {
		if tx != nil {
			tx.Rollback()
		}
	}()
	args := make([]any, len(reportColumns)+3)
	n := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if tx == nil {
			if tx, err = db.BeginTx(ctx, nil); err != nil {
				return n, fmt.Errorf("begin: %w", err)
			}
			if st, err = tx.PrepareContext(ctx, importSQL); err != nil {
				return n, fmt.Errorf("prepare: %w", err)
			}
		}
		for i, j := range idx {
			args[i] = rec[j]
		}
		size, _ := strconv.Atoi(rec[idx[12]])
		args[12] = size
		args[17], args[18], args[19] = store.NameKey(rec[idx[6]], rec[idx[7]]), ts, ts
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return n, fmt.Errorf("line %d: %w", n+2, err)
		}
		if n++; n%TxRows == 0 {
			err := tx.Commit()
			tx = nil
			if err != nil {
				return n, fmt.Errorf("commit: %w", err)
			}
		}
	}
	if tx != nil {
		err := tx.Commit()
		tx = nil
		if err != nil {
			return n, fmt.Errorf("commit: %w", err)
		}
	}
	return n, nil
}
