package store

import (
	"context"
	"fmt"
	"time"
)

// ConsoleSession is a signed-in console session. The cookie's token is
// never stored: TokenHash is its SHA-256, hex.
type ConsoleSession struct {
	TokenHash  string
	User       ConsoleUser
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	Address    string
	Flash      string // a one-time message for the next page
}

// CreateConsoleSession records a new session for s.User.Name.
func (s *Store) CreateConsoleSession(ctx context.Context, cs ConsoleSession) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO console_sessions (token_hash, user_name, csrf_token, created_at, last_seen_at, address)
		VALUES (?, ?, ?, ?, ?, ?)`, cs.TokenHash, cs.User.Name, cs.CSRFToken, timeText(cs.CreatedAt), timeText(cs.LastSeenAt), cs.Address)
	if err != nil {
		return fmt.Errorf("create console session: %w", err)
	}
	return nil
}

// ConsoleSession loads a session with its account. It returns ErrNotFound
// when there is none; expiry is the caller's decision.
func (s *Store) ConsoleSession(ctx context.Context, tokenHash string) (ConsoleSession, error) {
	var cs ConsoleSession
	var created, seen, userCreated, userDisabled string
	err := s.db.QueryRowContext(ctx, `SELECT s.token_hash, s.csrf_token, s.created_at, s.last_seen_at, s.address, s.flash,
		u.name, u.role, u.password_hash, u.created_at, u.disabled_at
		FROM console_sessions s JOIN console_users u ON u.name = s.user_name WHERE s.token_hash = ?`, tokenHash).Scan(
		&cs.TokenHash, &cs.CSRFToken, &created, &seen, &cs.Address, &cs.Flash,
		&cs.User.Name, &cs.User.Role, &cs.User.PasswordHash, &userCreated, &userDisabled)
	if isNoRows(err) {
		return ConsoleSession{}, fmt.Errorf("console session: %w", ErrNotFound)
	}
	if err != nil {
		return ConsoleSession{}, fmt.Errorf("console session: %w", err)
	}
	cs.CreatedAt, cs.LastSeenAt = parseTime(created), parseTime(seen)
	cs.User.CreatedAt, cs.User.DisabledAt = parseTime(userCreated), parseTime(userDisabled)
	return cs, nil
}

// TouchConsoleSession records activity on a session.
func (s *Store) TouchConsoleSession(ctx context.Context, tokenHash string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ?`, timeText(now), tokenHash)
	if err != nil {
		return fmt.Errorf("touch console session: %w", err)
	}
	return nil
}

// ClearConsoleFlash takes the session's one-time message away once shown.
func (s *Store) ClearConsoleFlash(ctx context.Context, tokenHash string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE console_sessions SET flash = '' WHERE token_hash = ?`, tokenHash)
	if err != nil {
		return fmt.Errorf("clear console message: %w", err)
	}
	return nil
}

// SetConsoleFlash leaves a one-time message for the session's next page.
func (s *Store) SetConsoleFlash(ctx context.Context, tokenHash, flash string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE console_sessions SET flash = ? WHERE token_hash = ?`, flash, tokenHash)
	if err != nil {
		return fmt.Errorf("set console message: %w", err)
	}
	return nil
}

// DeleteConsoleSession ends a session.
func (s *Store) DeleteConsoleSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM console_sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("end console session: %w", err)
	}
	return nil
}

// DeleteExpiredConsoleSessions removes sessions idle since before
// idleBefore or created before createdBefore.
func (s *Store) DeleteExpiredConsoleSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM console_sessions WHERE last_seen_at < ? OR created_at < ?`,
		timeText(idleBefore), timeText(createdBefore))
	if err != nil {
		return 0, fmt.Errorf("remove expired console sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
