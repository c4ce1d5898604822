package store

import (
	"fmt"
	"strings"
)

// DropUnsentMail removes the mail of the given kinds about a submission
// that has not gone yet (pending, or failed and waiting for an operator),
// in the transaction: a superseded held file's review notice and held
// notice say something that is no longer true. Mail that was sent, or is
// being sent, stays as it is. It returns how many were dropped.
func (t *Tx) DropUnsentMail(submissionID int64, kinds ...string) (int, error) {
	if len(kinds) == 0 {
		return 0, nil
	}
	args := []any{submissionID}
	for _, k := range kinds {
		args = append(args, k)
	}
	q := `DELETE FROM outbox WHERE submission_id = ? AND state IN ('pending', 'failed') AND kind IN (?` +
		strings.Repeat(", ?", len(kinds)-1) + `)`
	res, err := t.tx.ExecContext(t.ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("drop unsent mail about submission %d: %w", submissionID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("drop unsent mail about submission %d: %w", submissionID, err)
	}
	return int(n), nil
}
