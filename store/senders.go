package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sender is an address on the Connector roster and the organisations it
// may submit files for.
type Sender struct {
	Address string
	Orgs    []string
	AddedAt time.Time
}

// MayActFor reports whether the sender is authorised for organisation code.
func (s Sender) MayActFor(code string) bool {
	for _, o := range s.Orgs {
		if o == code {
			return true
		}
	}
	return false
}

// ErrUnknownOrganisation is returned when a roster change names an
// organisation that is not in the registry.
var ErrUnknownOrganisation = errors.New("unknown organisation")

// PutSender adds an address to the roster, or sets the organisations of one
// already there to exactly orgs; by is audited.
func (s *Store) PutSender(ctx context.Context, address string, orgs []string, by string, now time.Time) error {
	address = addressKey(address)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, o := range orgs {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM organisations WHERE code = ?`, o).Scan(&n); err != nil {
				return fmt.Errorf("check organisation %s: %w", o, err)
			}
			if n == 0 {
				return fmt.Errorf("%w %s: import it first with 'connectord org import'", ErrUnknownOrganisation, o)
			}
		}
		old, err := querySenders(ctx, tx, address)
		if err != nil {
			return err
		}
		before := "not on the roster"
		if len(old) == 1 {
			before = strings.Join(old[0].Orgs, ", ")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO senders (address, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			address, timeText(now)); err != nil {
			return fmt.Errorf("add sender %s: %w", address, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sender_orgs WHERE address = ?`, address); err != nil {
			return fmt.Errorf("set organisations of %s: %w", address, err)
		}
		for _, o := range orgs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sender_orgs (address, org_code) VALUES (?, ?) ON CONFLICT DO NOTHING`, address, o); err != nil {
				return fmt.Errorf("set organisations of %s: %w", address, err)
			}
		}
		return addConsoleAudit(ctx, tx, &ConsoleAudit{At: now, Actor: by, Action: AuditRosterPut, Subject: address,
			Detail: fmt.Sprintf("organisations %s (before: %s)", strings.Join(orgs, ", "), before)})
	})
}

// RemoveSender takes an address off the roster; by is audited.
func (s *Store) RemoveSender(ctx context.Context, address, by string, now time.Time) error {
	address = addressKey(address)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := querySenders(ctx, tx, address)
		if err != nil {
			return err
		}
		if len(old) == 0 {
			return fmt.Errorf("sender %s: %w", address, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM senders WHERE address = ?`, address); err != nil {
			return fmt.Errorf("remove sender: %w", err)
		}
		return addConsoleAudit(ctx, tx, &ConsoleAudit{At: now, Actor: by, Action: AuditRosterRemove, Subject: address,
			Detail: "was allowed for " + strings.Join(old[0].Orgs, ", ")})
	})
}

// Sender looks one address up on the roster.
func (s *Store) Sender(ctx context.Context, address string) (Sender, error) {
	list, err := s.senders(ctx, addressKey(address))
	if err != nil {
		return Sender{}, err
	}
	if len(list) == 0 {
		return Sender{}, fmt.Errorf("sender %s: %w", address, ErrNotFound)
	}
	return list[0], nil
}

// Senders lists the roster by address.
func (s *Store) Senders(ctx context.Context) ([]Sender, error) { return s.senders(ctx, "") }

func (s *Store) senders(ctx context.Context, only string) ([]Sender, error) {
	return querySenders(ctx, s.db, only)
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// querySenders lists the roster, or only one address of it.
func querySenders(ctx context.Context, q querier, only string) ([]Sender, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.address, s.added_at,
		coalesce((SELECT string_agg(org_code, ',' ORDER BY org_code) FROM sender_orgs o WHERE o.address = s.address), '')
		FROM senders s WHERE ? = '' OR s.address = ? ORDER BY s.address`, only, only)
	if err != nil {
		return nil, fmt.Errorf("list senders: %w", err)
	}
	defer rows.Close()
	var out []Sender
	for rows.Next() {
		var sd Sender
		var added, orgs string
		if err := rows.Scan(&sd.Address, &added, &orgs); err != nil {
			return nil, fmt.Errorf("list senders: %w", err)
		}
		sd.AddedAt = parseTime(added)
		if orgs != "" {
			sd.Orgs = strings.Split(orgs, ",")
		}
		out = append(out, sd)
	}
	return out, rows.Err()
}
