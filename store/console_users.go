package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Console roles. An operator can do everything a reviewer can.
const (
	RoleReviewer = "reviewer"
	RoleOperator = "operator"
)

// ErrExists is returned when a row to add is already there.
var ErrExists = errors.New("already exists")

// ConsoleUser is a local account of the web console.
type ConsoleUser struct {
	Name         string // lower case
	Role         string // RoleReviewer or RoleOperator
	PasswordHash string // argon2id, PHC string format
	CreatedAt    time.Time
	DisabledAt   time.Time // zero while enabled
}

// Disabled reports whether the account may no longer sign in.
func (u ConsoleUser) Disabled() bool { return !u.DisabledAt.IsZero() }

// AddConsoleUser creates an account. It returns an error wrapping ErrExists
// when the name is taken.
func (s *Store) AddConsoleUser(ctx context.Context, u ConsoleUser) error {
	name := strings.ToLower(strings.TrimSpace(u.Name))
	res, err := s.db.ExecContext(ctx, `INSERT INTO console_users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, name, u.Role, u.PasswordHash, timeText(u.CreatedAt))
	if err != nil {
		return fmt.Errorf("add console user %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("console user %s: %w", name, ErrExists)
	}
	return nil
}

const consoleUserColumns = `name, role, password_hash, created_at, disabled_at`

func scanConsoleUser(sc scanner, u *ConsoleUser) error {
	var created, disabled string
	if err := sc.Scan(&u.Name, &u.Role, &u.PasswordHash, &created, &disabled); err != nil {
		return err
	}
	u.CreatedAt, u.DisabledAt = parseTime(created), parseTime(disabled)
	return nil
}

// ConsoleUser looks an account up by name (any case).
func (s *Store) ConsoleUser(ctx context.Context, name string) (ConsoleUser, error) {
	var u ConsoleUser
	err := scanConsoleUser(s.db.QueryRowContext(ctx, `SELECT `+consoleUserColumns+` FROM console_users WHERE name = ?`,
		strings.ToLower(strings.TrimSpace(name))), &u)
	if isNoRows(err) {
		return ConsoleUser{}, fmt.Errorf("console user %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return ConsoleUser{}, fmt.Errorf("console user %s: %w", name, err)
	}
	return u, nil
}

// ConsoleUsers lists the accounts by name.
func (s *Store) ConsoleUsers(ctx context.Context) ([]ConsoleUser, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+consoleUserColumns+` FROM console_users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list console users: %w", err)
	}
	defer rows.Close()
	var out []ConsoleUser
	for rows.Next() {
		var u ConsoleUser
		if err := scanConsoleUser(rows, &u); err != nil {
			return nil, fmt.Errorf("list console users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DisableConsoleUser stops an account signing in and ends its sessions.
func (s *Store) DisableConsoleUser(ctx context.Context, name string, now time.Time) error {
	name = strings.ToLower(strings.TrimSpace(name))
	return s.InTx(ctx, func(t *Tx) error {
		res, err := t.tx.ExecContext(t.ctx, `UPDATE console_users SET disabled_at = ? WHERE name = ? AND disabled_at = ''`,
			timeText(now), name)
		if err != nil {
			return fmt.Errorf("disable console user %s: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM console_users WHERE name = ?`, name).Scan(&exists); err != nil {
				return fmt.Errorf("disable console user %s: %w", name, err)
			}
			if exists == 0 {
				return fmt.Errorf("console user %s: %w", name, ErrNotFound)
			}
		}
		if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM console_sessions WHERE user_name = ?`, name); err != nil {
			return fmt.Errorf("end sessions of %s: %w", name, err)
		}
		return nil
	})
}

// SetConsolePassword replaces an account's password hash, enables the
// account again and ends its sessions.
func (s *Store) SetConsolePassword(ctx context.Context, name, hash string) error {
	name = strings.ToLower(strings.TrimSpace(name))
	return s.InTx(ctx, func(t *Tx) error {
		res, err := t.tx.ExecContext(t.ctx, `UPDATE console_users SET password_hash = ?, disabled_at = '' WHERE name = ?`, hash, name)
		if err != nil {
			return fmt.Errorf("set password of %s: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("console user %s: %w", name, ErrNotFound)
		}
		if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM console_sessions WHERE user_name = ?`, name); err != nil {
			return fmt.Errorf("end sessions of %s: %w", name, err)
		}
		return nil
	})
}
