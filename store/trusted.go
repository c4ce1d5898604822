package store

import (
	"fmt"
	"time"
)

// IsTrusted reports whether a reviewer has approved a file from sender
// before.
func (t *Tx) IsTrusted(sender string) (bool, error) {
	var n int
	if err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM trusted_senders WHERE address = ?`, addressKey(sender)).Scan(&n); err != nil {
		return false, fmt.Errorf("check trusted sender: %w", err)
	}
	return n > 0, nil
}

// Trust records that a reviewer approved sender's file.
func (t *Tx) Trust(sender, by string, submissionID int64, now time.Time) error {
	var sub any
	if submissionID != 0 {
		sub = submissionID
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO trusted_senders (address, approved_at, approved_by, submission_id)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, addressKey(sender), timeText(now), by, sub)
	if err != nil {
		return fmt.Errorf("trust sender %s: %w", sender, err)
	}
	return nil
}

// RosterSender looks sender up on the Connector roster within the
// transaction; ok is false when it is not there.
func (t *Tx) RosterSender(address string) (Sender, bool, error) {
	list, err := querySenders(t.ctx, t.tx, addressKey(address))
	if err != nil || len(list) == 0 {
		return Sender{}, false, err
	}
	return list[0], true, nil
}
