package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Purgeable is one spool segment whose every message is settled and old
// enough to remove, with the submissions in it and their results files.
type Purgeable struct {
	Segment     string
	IDs         []int64
	Attachments []string // outbox attachment paths of those submissions, relative to the data directory
}

// settledStates are the states no later step reads the message in.
const settledStates = `('processed', 'rejected', 'ignored', 'superseded')`

// Purgeable lists the spool segments whose messages were all settled
// (processed, rejected, ignored or superseded) before before, are not yet
// purged, and have no mail still waiting to go. A segment holding one
// message still held or accepted is kept whole.
func (s *Store) Purgeable(ctx context.Context, before time.Time) ([]Purgeable, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT spool_segment, string_agg(CAST(id AS TEXT), ',' ORDER BY id)
		FROM submissions sub
		GROUP BY spool_segment
		HAVING count(CASE WHEN purged_at = '' THEN 1 END) > 0
			AND count(CASE WHEN state NOT IN `+settledStates+` THEN 1 END) = 0
			AND max(CASE WHEN processed_at != '' THEN processed_at ELSE decided_at END) < ?
			AND sum((SELECT count(*) FROM outbox o WHERE o.submission_id = sub.id AND o.state IN ('pending', 'sending'))) = 0
		ORDER BY min(id)`, timeText(before))
	if err != nil {
		return nil, fmt.Errorf("list purgeable submissions: %w", err)
	}
	var out []Purgeable
	for rows.Next() {
		var p Purgeable
		var ids string
		if err := rows.Scan(&p.Segment, &ids); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list purgeable submissions: %w", err)
		}
		for _, f := range strings.Split(ids, ",") {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("list purgeable submissions: bad id %q", f)
			}
			p.IDs = append(p.IDs, id)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list purgeable submissions: %w", err)
	}
	for i := range out {
		if out[i].Attachments, err = s.attachments(ctx, out[i].IDs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attachments lists the distinct attachment paths of mail about ids.
func (s *Store) attachments(ctx context.Context, ids []int64) ([]string, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT attachment_path FROM outbox
		WHERE attachment_path != '' AND submission_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("list attachments: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// MarkPurged records that the submissions' files are gone.
func (s *Store) MarkPurged(ctx context.Context, ids []int64, now time.Time) error {
	return s.InTx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			if _, err := tx.tx.ExecContext(ctx, `UPDATE submissions SET purged_at = ? WHERE id = ? AND purged_at = ''`,
				timeText(now), id); err != nil {
				return fmt.Errorf("mark submission %d purged: %w", id, err)
			}
		}
		return nil
	})
}
