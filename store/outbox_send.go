package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DueMail lists up to limit pending messages whose time has come, oldest
// first. It claims none: ClaimMail does, one at a time.
func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]OutboxMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
		timeText(now), limit)
	if err != nil {
		return nil, fmt.Errorf("read due mail: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		if err := scanOutbox(rows, &m); err != nil {
			return nil, fmt.Errorf("read due mail: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ClaimMail marks one pending message as being sent, counting the attempt.
// It reports false when the message is no longer pending (another sender
// claimed it first, or an operator acted on it).
func (s *Store) ClaimMail(ctx context.Context, id int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, total_attempts = total_attempts + 1 WHERE id = ? AND state = 'pending'`, id)
	if err != nil {
		return false, fmt.Errorf("claim mail %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim mail %d: %w", id, err)
	}
	return n == 1, nil
}

// OutboxSending is an attempt under way.
const OutboxSending = "sending"

// MarkSent records a delivered message.
func (s *Store) MarkSent(ctx context.Context, id int64, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, last_error = '' WHERE id = ?`, timeText(now), id)
	if err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, err)
	}
	return nil
}

// MarkRetry puts a message back to be tried again at next.
func (s *Store) MarkRetry(ctx context.Context, id int64, reason string, next time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?`, reason, timeText(next), id)
	if err != nil {
		return fmt.Errorf("reschedule mail %d: %w", id, err)
	}
	return nil
}

// MarkFailed gives a message up until an operator retries it.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?`, reason, id)
	if err != nil {
		return fmt.Errorf("mark mail %d failed: %w", id, err)
	}
	return nil
}

// FailInterrupted marks messages left "sending" by a process that stopped
// mid-attempt as failed: they may have been delivered, so they are not
// sent again without an operator.
func (s *Store) FailInterrupted(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'failed',
		last_error = 'interrupted while sending: it may have been delivered; check with the recipient, then retry it if not'
		WHERE state = 'sending'`)
	if err != nil {
		return 0, fmt.Errorf("recover interrupted mail: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// RetryOutbox puts a failed message back in the queue, now, with a fresh
// count of attempts against smtp.max_attempts (TotalAttempts keeps them
// all). Its Message-ID stays the same; by is audited.
func (s *Store) RetryOutbox(ctx context.Context, id int64, by string, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND state = 'failed'`,
			timeText(now), id)
		if err != nil {
			return fmt.Errorf("retry mail %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("mail %d is not failed (only failed mail can be retried): %w", id, ErrNotFound)
		}
		return addConsoleAudit(ctx, tx, &ConsoleAudit{At: now, Actor: by, Action: AuditRetryMail, Subject: fmt.Sprintf("mail %d", id),
			Detail: "put back in the queue"})
	})
}

// OutboxDepth counts messages by state.
func (s *Store) OutboxDepth(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
