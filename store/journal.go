package store

import (
	"fmt"
)

// JournalRecord is one row of a file applied to a directory without
// transactions (Active Directory): its intent, recorded before its change
// is sent, then its result. It never holds a password.
type JournalRecord struct {
	Line    int
	Op      string // JournalCreate or JournalUpdate
	Done    bool   // the change was applied and Status..Address are its result
	LocalID string // the entry the change is to, to read it back after a crash
	Status  string
	Detail  string
	Address string
	// GeneratedLocalID: connectord made the Local ID (it goes in the
	// results file's cell); GeneratedPassword: and the password, which
	// the journal does not hold.
	GeneratedLocalID  bool
	GeneratedPassword bool
}

// The operations a journal records.
const (
	JournalCreate = "create"
	JournalUpdate = "update"
)

// Journal returns what has been recorded for the file named key, by line.
func (d *DirectoryTx) Journal(key string) (map[int]JournalRecord, error) {
	st, err := d.work.prepared(`SELECT line, op, state, local_id, status, detail, address, generated_local_id,
		generated_password FROM apply_journal WHERE file_key = ?`)
	if err != nil {
		return nil, fmt.Errorf("read the journal of %s: %w", key, err)
	}
	rows, err := st.QueryContext(d.ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read the journal of %s: %w", key, err)
	}
	defer rows.Close()
	out := map[int]JournalRecord{}
	for rows.Next() {
		var r JournalRecord
		var state string
		if err := rows.Scan(&r.Line, &r.Op, &state, &r.LocalID, &r.Status, &r.Detail, &r.Address,
			&r.GeneratedLocalID, &r.GeneratedPassword); err != nil {
			return nil, fmt.Errorf("read the journal of %s: %w", key, err)
		}
		r.Done = state == "done"
		out[r.Line] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the journal of %s: %w", key, err)
	}
	return out, nil
}

// Record writes r for the file named key, replacing what its line had.
// The caller makes it durable (Checkpoint).
func (d *DirectoryTx) Record(key string, r JournalRecord) error {
	st, err := d.work.prepared(`INSERT INTO apply_journal (file_key, line, op, state, local_id, status, detail, address,
		generated_local_id, generated_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (file_key, line) DO UPDATE SET op = excluded.op, state = excluded.state, local_id = excluded.local_id,
		status = excluded.status, detail = excluded.detail, address = excluded.address,
		generated_local_id = excluded.generated_local_id, generated_password = excluded.generated_password`)
	state := "intent"
	if r.Done {
		state = "done"
	}
	if err == nil {
		_, err = st.ExecContext(d.ctx, key, r.Line, r.Op, state, r.LocalID, r.Status, r.Detail, r.Address,
			r.GeneratedLocalID, r.GeneratedPassword)
	}
	if err != nil {
		return fmt.Errorf("journal line %d of %s: %w", r.Line, key, err)
	}
	return nil
}

// ForgetJournal removes the journal of the file named key: the file is
// finished (in the same transaction as what finishes it).
func (d *DirectoryTx) ForgetJournal(key string) error {
	st, err := d.work.prepared(`DELETE FROM apply_journal WHERE file_key = ?`)
	if err == nil {
		_, err = st.ExecContext(d.ctx, key)
	}
	if err != nil {
		return fmt.Errorf("forget the journal of %s: %w", key, err)
	}
	return nil
}
