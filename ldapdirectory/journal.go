package ldapdirectory

import (
	"context"

	"connectord/provision"
	"connectord/store"
)

var _ provision.Resumable = (*Directory)(nil)

// Journal reads the file's journal from the store.
func (d *Directory) Journal(_ context.Context, key string) (map[int]store.JournalRecord, error) {
	return d.tx.Journal(key)
}

// Record writes rec and commits the store's transaction so far, so that
// the row's intent is durable before its change is sent, and its result
// (with the fields kept for it and its audit row) once it is made.
func (d *Directory) Record(ctx context.Context, key string, rec store.JournalRecord) error {
	if d.readOnly {
		return nil
	}
	if err := d.tx.Record(key, rec); err != nil {
		return err
	}
	if err := d.tx.Checkpoint(ctx); err != nil {
		return err
	}
	if d.afterRecord != nil {
		d.afterRecord(rec)
	}
	return nil
}

// Forget drops the journal in the store's transaction, which the caller
// commits with the file's results.
func (d *Directory) Forget(_ context.Context, key string) error {
	if d.readOnly {
		return nil
	}
	return d.tx.ForgetJournal(key)
}

// NewPassword resets the account's password.
func (d *Directory) NewPassword(ctx context.Context, m *store.Mailbox, password string) error {
	return refusal(d.c.ResetPassword(ctx, m.Ref, password))
}

// Adopt sets the password of an account an interrupted run created (which
// enables it if the run stopped between the add and the password) and
// keeps its fields.
func (d *Directory) Adopt(ctx context.Context, m *store.Mailbox, password string) error {
	if err := d.NewPassword(ctx, m, password); err != nil {
		return err
	}
	if d.keeps() {
		return d.tx.KeepFields(m)
	}
	return nil
}
