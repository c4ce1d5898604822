package ldapdirectory

import (
	"context"
	"log/slog"

	"connectord/activedirectory"
	"connectord/provision"
	"connectord/store"
)

// Hooks are crash points for kill tests; the program itself sets none.
type Hooks struct {
	// AfterRecord runs after each row's journal record is durable.
	AfterRecord func(store.JournalRecord)
	// AfterAdd runs after a two-step creation's add, before its password.
	AfterAdd func(dn string)
}

// Backend connects to the directory for each file, with cfg.
func Backend(cfg activedirectory.Config, log *slog.Logger, h Hooks) provision.Backend {
	return func(ctx context.Context, tx *store.DirectoryTx, readOnly bool) (provision.Directory, func(), error) {
		c, err := activedirectory.Dial(ctx, cfg, log)
		if err != nil {
			return nil, nil, err
		}
		c.AfterAdd(h.AfterAdd)
		d := New(c, tx, Options{ReadOnly: readOnly, Batch: cfg.LookupBatch, Log: log, AfterRecord: h.AfterRecord})
		return d, func() { c.Close() }, nil
	}
}

// EachMailbox calls fn for every user and contact under base_dn, with the
// fields the store keeps for it (read through tx), one page of the paged
// search in memory at a time; m is reused between calls.
func (d *Directory) EachMailbox(ctx context.Context, fn func(m *store.Mailbox) error) error {
	return d.c.Export(ctx, func(e activedirectory.Entry) error {
		if err := d.load(&e, &d.mb); err != nil {
			return err
		}
		return fn(&d.mb)
	})
}
