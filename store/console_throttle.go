package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// LoginLimit is the sign-in throttling policy for one kind of key: Limit
// failures within Window lock the key for Lockout.
type LoginLimit struct {
	Limit   int
	Window  time.Duration
	Lockout time.Duration
}

// LoginKey is one count a sign-in attempt is charged to ("account:NAME",
// "address:IP", …) and its policy.
type LoginKey struct {
	Key string
	LoginLimit
	// ClearOnSuccess forgets the key's failures when the sign-in
	// succeeds; otherwise a success only takes its own attempt back.
	ClearOnSuccess bool
}

// LoginAttempt is what ReserveLogin decided.
type LoginAttempt struct {
	// Refused is set when a key was locked: nothing was charged, and the
	// password must not be checked.
	Refused bool
	// LockedUntil is, when Refused, the latest lock of the keys; else the
	// lock this attempt set by reaching a key's limit, or zero.
	LockedUntil time.Time
}

// loginPruneBatch bounds the expired rows one reservation removes.
const loginPruneBatch = 64

// ReserveLogin charges a sign-in attempt to every key, as a failure,
// before the password is checked. It reads and charges all keys in one
// write transaction, so parallel attempts cannot all pass a check made
// before any of them is counted: at most Limit attempts of a key get
// through per window. When a key is locked at now, nothing is charged and
// the attempt is Refused. ReleaseLogin takes back an attempt that
// succeeded or was never checked. Each call also removes some of the rows
// that have expired (pruneLoginFailures), so the table holds little more
// than live counts.
func (s *Store) ReserveLogin(ctx context.Context, keys []LoginKey, now time.Time) (LoginAttempt, error) {
	var a LoginAttempt
	err := s.InTx(ctx, func(t *Tx) error {
		if err := t.pruneLoginFailures(&s.loginSweep, keys, now); err != nil {
			return err
		}
		rows := make([]loginRow, len(keys))
		for i, k := range keys {
			r, err := t.loginRow(k.Key)
			if err != nil {
				return err
			}
			if r.lockedUntil.After(now) {
				a.Refused = true
				a.LockedUntil = later(a.LockedUntil, r.lockedUntil)
			}
			rows[i] = r
		}
		if a.Refused {
			return nil
		}
		for i, k := range keys {
			r := rows[i]
			// A count whose window has passed, or whose lock is over,
			// starts again.
			if !r.found || now.Sub(r.windowStart) > k.Window || !r.lockedUntil.IsZero() {
				r = loginRow{windowStart: now}
			}
			r.failures++
			if r.failures >= k.Limit {
				r.lockedUntil = now.Add(k.Lockout)
				a.LockedUntil = later(a.LockedUntil, r.lockedUntil)
			}
			if err := t.putLoginRow(k.Key, r); err != nil {
				return err
			}
		}
		return nil
	})
	return a, err
}

// ReleaseLogin takes back the attempt ReserveLogin charged to keys: after
// the right password (signedIn, which also forgets the keys marked
// ClearOnSuccess), or when the password was never checked. A key whose
// count falls below its limit again is unlocked.
func (s *Store) ReleaseLogin(ctx context.Context, keys []LoginKey, signedIn bool) error {
	return s.InTx(ctx, func(t *Tx) error {
		for _, k := range keys {
			var err error
			if signedIn && k.ClearOnSuccess {
				_, err = t.tx.ExecContext(t.ctx, `DELETE FROM console_login_failures WHERE key = ?`, k.Key)
			} else {
				_, err = t.tx.ExecContext(t.ctx, `UPDATE console_login_failures SET failures = failures - 1,
					locked_until = CASE WHEN failures - 1 < ? THEN '' ELSE locked_until END
					WHERE key = ? AND failures > 0`, k.Limit, k.Key)
			}
			if err != nil {
				return fmt.Errorf("release sign-in attempt: %w", err)
			}
		}
		return nil
	})
}

// loginRow is one key's count.
type loginRow struct {
	found       bool
	failures    int
	windowStart time.Time
	lockedUntil time.Time // zero when not locked
}

func (t *Tx) loginRow(key string) (loginRow, error) {
	var r loginRow
	var start, lu string
	err := t.tx.QueryRowContext(t.ctx, `SELECT failures, window_start, locked_until FROM console_login_failures WHERE key = ?`, key).
		Scan(&r.failures, &start, &lu)
	if isNoRows(err) {
		return loginRow{}, nil
	}
	if err != nil {
		return loginRow{}, fmt.Errorf("read sign-in failures: %w", err)
	}
	r.found, r.windowStart, r.lockedUntil = true, parseTime(start), parseTime(lu)
	return r, nil
}

func (t *Tx) putLoginRow(key string, r loginRow) error {
	lu := ""
	if !r.lockedUntil.IsZero() {
		lu = timeText(r.lockedUntil)
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO console_login_failures (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
		key, r.failures, timeText(r.windowStart), lu)
	if err != nil {
		return fmt.Errorf("record sign-in attempt: %w", err)
	}
	return nil
}

// loginSweep is where the pruning of console_login_failures has got to:
// each reservation looks at the next loginPruneBatch keys after it, in
// key order, and starts again from the first key at the end, so every
// write does bounded work and every row is looked at again and again.
type loginSweep struct {
	mu    sync.Mutex
	after string
}

// pruneLoginFailures removes, among the next loginPruneBatch rows of the
// sweep, those that count for nothing any more at now: a lock that is
// over, or a window longer ago than the longest of keys' windows.
func (t *Tx) pruneLoginFailures(sweep *loginSweep, keys []LoginKey, now time.Time) error {
	var window time.Duration
	for _, k := range keys {
		window = max(window, k.Window)
	}
	sweep.mu.Lock()
	defer sweep.mu.Unlock()
	const batch = `SELECT key, window_start, locked_until FROM console_login_failures WHERE key > ?1 ORDER BY key LIMIT ?2`
	var last sql.NullString
	if err := t.tx.QueryRowContext(t.ctx, `SELECT max(key) FROM (`+batch+`) AS b`, sweep.after, loginPruneBatch).Scan(&last); err != nil {
		return fmt.Errorf("remove expired sign-in failures: %w", err)
	}
	_, err := t.tx.ExecContext(t.ctx, `DELETE FROM console_login_failures WHERE key IN (SELECT key FROM (`+batch+`) AS b
		WHERE (locked_until <> '' AND locked_until <= ?3) OR (locked_until = '' AND window_start < ?4))`,
		sweep.after, loginPruneBatch, timeText(now), timeText(now.Add(-window)))
	if err != nil {
		return fmt.Errorf("remove expired sign-in failures: %w", err)
	}
	sweep.after = last.String // "" at the end: start again
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
