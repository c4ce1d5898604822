package store

import (
	"context"
	"fmt"
)

// EachMailbox calls fn for every directory entry in address order,
// streaming; m is reused between calls.
func (s *Store) EachMailbox(ctx context.Context, fn func(m *Mailbox) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+mailboxColumns+` FROM mailboxes ORDER BY address`)
	if err != nil {
		return fmt.Errorf("read directory: %w", err)
	}
	defer rows.Close()
	var m Mailbox
	for rows.Next() {
		if err := scanMailbox(rows, &m); err != nil {
			return fmt.Errorf("read directory: %w", err)
		}
		if err := fn(&m); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read directory: %w", err)
	}
	return nil
}

// CountMailboxes counts directory entries.
func (s *Store) CountMailboxes(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM mailboxes`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count directory: %w", err)
	}
	return n, nil
}

// AuditCount counts audit rows (for tests and reports).
func (s *Store) AuditCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM audit`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count audit: %w", err)
	}
	return n, nil
}
