package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// IMAPState is where the poller is in one mailbox: the UIDVALIDITY it saw
// and the highest UID it has taken.
type IMAPState struct {
	UIDValidity uint32
	LastUID     uint32
}

// IMAPState reads the position in mailbox; zero when never polled.
func (t *Tx) IMAPState(mailbox string) (IMAPState, error) {
	var st IMAPState
	err := t.tx.QueryRowContext(t.ctx, `SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ?`, mailbox).
		Scan(&st.UIDValidity, &st.LastUID)
	if errors.Is(err, sql.ErrNoRows) {
		return IMAPState{}, nil
	}
	if err != nil {
		return IMAPState{}, fmt.Errorf("read IMAP position: %w", err)
	}
	return st, nil
}

// SetIMAPState records the position in mailbox.
func (t *Tx) SetIMAPState(mailbox string, st IMAPState) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO imap_state (mailbox, uidvalidity, last_uid) VALUES (?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid`,
		mailbox, st.UIDValidity, st.LastUID)
	if err != nil {
		return fmt.Errorf("record IMAP position: %w", err)
	}
	return nil
}
