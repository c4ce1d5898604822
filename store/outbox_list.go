package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// OutboxQuery selects outbox messages to list newest first; zero fields
// match all.
type OutboxQuery struct {
	States []string // any of these
	Kind   string
	// Search matches part of the recipient, the subject or the
	// Message-ID, ignoring ASCII case.
	Search string
	Limit  int
	// Before and After page through the list: the Limit messages older
	// than message Before, or newer than message After.
	Before, After int64
}

// OutboxList lists outbox messages, newest first.
func (s *Store) OutboxList(ctx context.Context, f OutboxQuery) ([]OutboxMessage, error) {
	var where []string
	var args []any
	if len(f.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, st := range f.States {
			args = append(args, st)
		}
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Search != "" {
		p := likePattern(f.Search)
		where = append(where, strings.ReplaceAll(`(recipient LIKE ? ESCAPE '\' OR subject LIKE ? ESCAPE '\' OR message_id LIKE ? ESCAPE '\')`, "LIKE", s.dialect.caseInsensitiveLike()))
		args = append(args, p, p, p)
	}
	order := " ORDER BY id DESC"
	switch {
	case f.Before != 0:
		where, args = append(where, "id < ?"), append(args, f.Before)
	case f.After != 0:
		where, args, order = append(where, "id > ?"), append(args, f.After), " ORDER BY id"
	}
	q := `SELECT ` + outboxColumns + ` FROM outbox`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += order
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	out, err := s.outboxRows(ctx, q, args...)
	if f.Before == 0 && f.After != 0 {
		slices.Reverse(out)
	}
	return out, err
}

// OutboxMessage loads one outbox message.
func (s *Store) OutboxMessage(ctx context.Context, id int64) (OutboxMessage, error) {
	var m OutboxMessage
	err := scanOutbox(s.db.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id), &m)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("mail %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("mail %d: %w", id, err)
	}
	return m, nil
}

// LaterMail lists the mail about m's submission to m's recipient that was
// queued after m and has not failed: retrying m would send older news
// after it.
func (s *Store) LaterMail(ctx context.Context, m OutboxMessage) ([]OutboxMessage, error) {
	if m.SubmissionID == 0 {
		return nil, nil
	}
	return s.outboxRows(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE submission_id = ? AND recipient = ? AND id > ? AND state != 'failed' ORDER BY id`,
		m.SubmissionID, m.Recipient, m.ID)
}

func (s *Store) outboxRows(ctx context.Context, q string, args ...any) ([]OutboxMessage, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		if err := scanOutbox(rows, &m); err != nil {
			return nil, fmt.Errorf("list outbox: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
