package store

import (
	"context"
	"fmt"
	"time"
)

// LoginLimit is the sign-in throttling policy for one kind of key: Limit
// failures within Window lock the key for Lockout.
type LoginLimit struct {
	Limit   int
	Window  time.Duration
	Lockout time.Duration
}

// LoginLockedUntil returns the latest time any of keys is locked until, or
// the zero time when none is locked at now.
func (s *Store) LoginLockedUntil(ctx context.Context, keys []string, now time.Time) (time.Time, error) {
	var until time.Time
	for _, k := range keys {
		var lu string
		err := s.db.QueryRowContext(ctx, `SELECT locked_until FROM console_login_failures WHERE key = ?`, k).Scan(&lu)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("read sign-in failures: %w", err)
		}
		if t := parseTime(lu); t.After(now) && t.After(until) {
			until = t
		}
	}
	return until, nil
}

// RecordLoginFailure counts a failed sign-in against key and returns the
// time the key is now locked until (zero when it is not locked).
func (s *Store) RecordLoginFailure(ctx context.Context, key string, lim LoginLimit, now time.Time) (time.Time, error) {
	var until time.Time
	err := s.InTx(ctx, func(t *Tx) error {
		var failures int
		var start, lu string
		err := t.tx.QueryRowContext(t.ctx, `SELECT failures, window_start, locked_until FROM console_login_failures WHERE key = ?`, key).
			Scan(&failures, &start, &lu)
		switch {
		case isNoRows(err) || (err == nil && now.Sub(parseTime(start)) > lim.Window && !parseTime(lu).After(now)):
			failures, start, lu = 0, timeText(now), ""
		case err != nil:
			return fmt.Errorf("read sign-in failures: %w", err)
		}
		failures++
		if failures >= lim.Limit {
			until = now.Add(lim.Lockout)
			lu = timeText(until)
		}
		_, err = t.tx.ExecContext(t.ctx, `INSERT INTO console_login_failures (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
			key, failures, start, lu)
		if err != nil {
			return fmt.Errorf("record sign-in failure: %w", err)
		}
		return nil
	})
	return until, err
}

// ClearLoginFailures forgets the failures of key (after a good sign-in).
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM console_login_failures WHERE key = ?`, key); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}
