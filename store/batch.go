package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Batch run states.
const (
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

// How a run read the mailbox before it started.
const (
	SyncDone        = "synced"      // the mailbox was read first
	SyncUnreachable = "unreachable" // it could not be read within batch.sync_timeout
	SyncSkipped     = "skipped"     // the run was told not to read it (batch run -no-sync)
)

// BatchRun is one run of the batch.
type BatchRun struct {
	ID         int64
	BatchDay   string
	StartedAt  time.Time
	FinishedAt time.Time
	State      string
	Trigger    string
	Sync       string // SyncDone, SyncUnreachable or SyncSkipped
	Files      int
	Counts     string // JSON rows per status
	Errors     string
}

// Synced reports whether the run read the mailbox first.
func (r BatchRun) Synced() bool { return r.Sync == SyncDone }

// ErrRunning is returned when another process holds the batch lock.
var ErrRunning = errors.New("a batch run is already in progress")

const batchLock = "night"

// StartRun records a run for day, with how it read the mailbox (sync), and
// takes the batch lock. A lock left by a process that is gone (alive
// reports false for its holder) is taken over and its run marked failed.
func (s *Store) StartRun(ctx context.Context, day, trigger, sync, holder string, alive func(holder string) bool, now time.Time) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(t *Tx) error {
		var oldRun int64
		var oldHolder string
		err := t.tx.QueryRowContext(t.ctx, `SELECT run_id, holder FROM batch_lock WHERE name = ?`, batchLock).Scan(&oldRun, &oldHolder)
		switch {
		case err == nil:
			if alive(oldHolder) {
				return fmt.Errorf("%w (run %d, held by %s)", ErrRunning, oldRun, oldHolder)
			}
			if _, err := t.tx.ExecContext(t.ctx, `UPDATE batch_runs SET state = 'failed', finished_at = ?,
				errors = CASE WHEN errors = '' THEN 'interrupted: the process running it stopped' ELSE errors END
				WHERE id = ? AND state = 'running'`, timeText(now), oldRun); err != nil {
				return fmt.Errorf("close interrupted run %d: %w", oldRun, err)
			}
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read batch lock: %w", err)
		}
		if err := t.tx.QueryRowContext(t.ctx, `INSERT INTO batch_runs (batch_day, started_at, state, trigger, sync, synced) VALUES (?, ?, 'running', ?, ?, ?) RETURNING id`,
			day, timeText(now), trigger, sync, syncedFlag(sync)).Scan(&id); err != nil {
			return fmt.Errorf("record batch run: %w", err)
		}
		_, err = t.tx.ExecContext(t.ctx, `INSERT INTO batch_lock (name, run_id, holder, taken_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET run_id = excluded.run_id, holder = excluded.holder, taken_at = excluded.taken_at`,
			batchLock, id, holder, timeText(now))
		if err != nil {
			return fmt.Errorf("take batch lock: %w", err)
		}
		return nil
	})
	return id, err
}

// FinishRun records how a run ended and releases the lock.
func (s *Store) FinishRun(ctx context.Context, r BatchRun, now time.Time) error {
	return s.InTx(ctx, func(t *Tx) error {
		// An empty Sync keeps what StartRun recorded.
		if _, err := t.tx.ExecContext(t.ctx, `UPDATE batch_runs SET finished_at = ?, state = ?, sync = coalesce(nullif(?, ''), sync),
			synced = CASE coalesce(nullif(?, ''), sync) WHEN 'synced' THEN 1 ELSE 0 END, files = ?, counts = ?, errors = ? WHERE id = ?`,
			timeText(now), r.State, r.Sync, r.Sync, r.Files, r.Counts, r.Errors, r.ID); err != nil {
			return fmt.Errorf("record end of run %d: %w", r.ID, err)
		}
		if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM batch_lock WHERE name = ? AND run_id = ?`, batchLock, r.ID); err != nil {
			return fmt.Errorf("release batch lock: %w", err)
		}
		return nil
	})
}

// syncedFlag is the older synced column: 1 only when the mailbox was read.
func syncedFlag(sync string) int {
	if sync == SyncDone {
		return 1
	}
	return 0
}

const runColumns = `id, batch_day, started_at, finished_at, state, trigger, sync, files, counts, errors`

func scanRun(sc scanner, r *BatchRun) error {
	var started, finished string
	if err := sc.Scan(&r.ID, &r.BatchDay, &started, &finished, &r.State, &r.Trigger, &r.Sync, &r.Files, &r.Counts, &r.Errors); err != nil {
		return err
	}
	r.StartedAt, r.FinishedAt = parseTime(started), parseTime(finished)
	return nil
}

// Runs lists batch runs, newest first; day filters to one batch day.
func (s *Store) Runs(ctx context.Context, day string, limit int) ([]BatchRun, error) {
	q := `SELECT ` + runColumns + ` FROM batch_runs WHERE ? = '' OR batch_day = ? ORDER BY id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, q, day, day)
	if err != nil {
		return nil, fmt.Errorf("list batch runs: %w", err)
	}
	defer rows.Close()
	var out []BatchRun
	for rows.Next() {
		var r BatchRun
		if err := scanRun(rows, &r); err != nil {
			return nil, fmt.Errorf("list batch runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LastDoneDay is the latest batch day with a completed run, or "".
func (s *Store) LastDoneDay(ctx context.Context) (string, error) {
	var day sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT max(batch_day) FROM batch_runs WHERE state = 'done'`).Scan(&day); err != nil {
		return "", fmt.Errorf("last batch day: %w", err)
	}
	return day.String, nil
}

// Run loads one batch run.
func (s *Store) Run(ctx context.Context, id int64) (BatchRun, error) {
	var r BatchRun
	err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM batch_runs WHERE id = ?`, id), &r)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("batch run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("batch run %d: %w", id, err)
	}
	return r, nil
}

// RunsFrom lists the runs of batch day from and later, oldest first.
func (s *Store) RunsFrom(ctx context.Context, from string) ([]BatchRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+runColumns+` FROM batch_runs WHERE batch_day >= ? ORDER BY batch_day, id`, from)
	if err != nil {
		return nil, fmt.Errorf("list batch runs: %w", err)
	}
	defer rows.Close()
	var out []BatchRun
	for rows.Next() {
		var r BatchRun
		if err := scanRun(rows, &r); err != nil {
			return nil, fmt.Errorf("list batch runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
