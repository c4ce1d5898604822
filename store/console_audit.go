package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Console audit actions.
const (
	AuditApprove      = "approve"
	AuditReject       = "reject"
	AuditRosterPut    = "roster-put"
	AuditRosterRemove = "roster-remove"
	AuditRunNow       = "run-now"
	AuditRetryMail    = "retry-mail"
	// AuditDownloadFile is a copy of a received file taken from the
	// console: it may hold passwords its sender supplied.
	AuditDownloadFile = "download-file"
)

// ConsoleAudit is one decision taken in the web console or on the
// command line. The store writes it in the transaction that makes the
// change, so a change is never without its audit row, nor the reverse.
type ConsoleAudit struct {
	ID      int64
	At      time.Time
	Actor   string // the console user, or the operator's login name
	Action  string // one of the Audit* actions
	Subject string // what it acted on: "submission 12", an address, a batch day, "mail 7"
	Detail  string
}

// AddConsoleAudit appends a console_audit row on its own, setting a.ID: for
// requests that change nothing by themselves ("run day D now").
func (s *Store) AddConsoleAudit(ctx context.Context, a *ConsoleAudit) error {
	return addConsoleAudit(ctx, s.db, a)
}

// AddConsoleAudit appends a console_audit row in the transaction, setting a.ID.
func (t *Tx) AddConsoleAudit(a *ConsoleAudit) error { return addConsoleAudit(t.ctx, t.tx, a) }

// rowQuerier is a *sql.DB or a *sql.Tx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func addConsoleAudit(ctx context.Context, q rowQuerier, a *ConsoleAudit) error {
	err := q.QueryRowContext(ctx, `INSERT INTO console_audit (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		timeText(a.At), a.Actor, a.Action, a.Subject, a.Detail).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("audit %s of %s: %w", a.Action, a.Subject, err)
	}
	return nil
}

// ConsoleAuditFilter selects audit rows; zero fields match all.
type ConsoleAuditFilter struct {
	Actions []string
	Subject string
	Actor   string
	Limit   int
	// Before and After page through the log, which runs newest first:
	// the Limit rows older than row Before, or newer than row After.
	Before, After int64
}

// ConsoleAuditLog lists audit rows, newest first.
func (s *Store) ConsoleAuditLog(ctx context.Context, f ConsoleAuditFilter) ([]ConsoleAudit, error) {
	var where []string
	var args []any
	if len(f.Actions) > 0 {
		where = append(where, "action IN (?"+strings.Repeat(", ?", len(f.Actions)-1)+")")
		for _, a := range f.Actions {
			args = append(args, a)
		}
	}
	if f.Subject != "" {
		where, args = append(where, "subject = ?"), append(args, f.Subject)
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	order := " ORDER BY id DESC"
	switch {
	case f.Before != 0:
		where, args = append(where, "id < ?"), append(args, f.Before)
	case f.After != 0:
		where, args, order = append(where, "id > ?"), append(args, f.After), " ORDER BY id"
	}
	q := `SELECT id, at, actor, action, subject, detail FROM console_audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += order
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read console audit: %w", err)
	}
	defer rows.Close()
	var out []ConsoleAudit
	for rows.Next() {
		var a ConsoleAudit
		var at string
		if err := rows.Scan(&a.ID, &at, &a.Actor, &a.Action, &a.Subject, &a.Detail); err != nil {
			return nil, fmt.Errorf("read console audit: %w", err)
		}
		a.At = parseTime(at)
		out = append(out, a)
	}
	if f.Before == 0 && f.After != 0 {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// SubmissionSubject names a submission in the audit trail.
func SubmissionSubject(id int64) string { return fmt.Sprintf("submission %d", id) }
