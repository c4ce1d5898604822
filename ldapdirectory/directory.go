package ldapdirectory

import (
	"context"
	"log/slog"
	"sort"
	"strings"

	"connectord/activedirectory"
	"connectord/provision"
	"connectord/store"
)

// Directory applies one file to Active Directory. It is not safe for
// concurrent use; make one per file.
type Directory struct {
	c        *activedirectory.Client
	tx       *store.DirectoryTx // the kept fields, the audit trail, the creation counts
	batch    int
	readOnly bool
	log      *slog.Logger
	// unlinked is, per organisation, its users without a Local ID by
	// folded name (store.NameKey), read once per file.
	unlinked map[string]map[string]string
	// made and addrs are a read-only run's creations and changes (by the
	// Local ID's ASCII-folded key) and the addresses it gave out.
	made  map[string]store.Mailbox
	addrs map[string]bool
	mb    store.Mailbox
	// afterRecord runs after each journal record is durable (kill tests).
	afterRecord func(store.JournalRecord)
}

var _ provision.Directory = (*Directory)(nil)

// Options says how a Directory works.
type Options struct {
	// ReadOnly sends no change to the directory and writes nothing to tx.
	ReadOnly bool
	// Batch is how many Local IDs to look up at once (the configuration's
	// lookup_batch; 0 is activedirectory.DefaultLookupBatch).
	Batch int
	Log   *slog.Logger
	// AfterRecord, when set, runs after each row's journal record is
	// durable: kill tests stop the process there.
	AfterRecord func(store.JournalRecord)
}

// New is a Directory over c, keeping its fields, audit trail and counts in tx.
func New(c *activedirectory.Client, tx *store.DirectoryTx, o Options) *Directory {
	if o.Batch <= 0 {
		o.Batch = activedirectory.DefaultLookupBatch
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Directory{c: c, tx: tx, batch: o.Batch, readOnly: o.ReadOnly, log: o.Log, afterRecord: o.AfterRecord,
		unlinked: map[string]map[string]string{}, made: map[string]store.Mailbox{}, addrs: map[string]bool{}}
}

// Batch is the configured lookup_batch.
func (d *Directory) Batch() int { return d.batch }

// LookupLocalIDs looks ids up in one search per batch. Where AD holds a
// Local ID on several entries, the first by DN is taken, and logged.
func (d *Directory) LookupLocalIDs(ctx context.Context, ids []string, found func(string, *store.Mailbox)) error {
	ask := ids
	if len(d.made) > 0 {
		ask = nil
		for _, id := range ids {
			if m, ok := d.made[key(id)]; ok {
				found(id, &m)
			} else {
				ask = append(ask, id)
			}
		}
	}
	if len(ask) == 0 {
		return nil
	}
	got, err := d.c.LookupLocalIDs(ctx, ask)
	if err != nil {
		return err
	}
	for _, id := range ask {
		es := got[id]
		if len(es) == 0 {
			continue
		}
		if len(es) > 1 {
			sort.Slice(es, func(i, j int) bool { return es[i].DN < es[j].DN })
			d.log.Warn("the directory holds a Local ID on several entries; the first is taken", "local_id", id, "entries", len(es), "first", es[0].DN)
		}
		if err := d.load(&es[0], &d.mb); err != nil {
			return err
		}
		found(id, &d.mb)
	}
	return nil
}

// load makes m of e, with the fields the store keeps for it.
func (d *Directory) load(e *activedirectory.Entry, m *store.Mailbox) error {
	d.mailbox(e, m)
	if m.Kind != store.KindMailbox || !d.keeps() {
		return nil
	}
	var kept store.Mailbox
	if _, err := d.tx.KeptFields(e.LocalID, &kept); err != nil {
		return err
	}
	for _, p := range fields {
		if d.c.Mapped(p.ad) {
			continue
		}
		if p.ad == activedirectory.EmailSize {
			m.EmailSize = kept.EmailSize
		} else {
			*text(m, p.ad) = *text(&kept, p.ad)
		}
	}
	return nil
}

// ZeroPadded finds the entry whose Local ID is number with leading zeros
// (the first in Local ID order).
func (d *Directory) ZeroPadded(ctx context.Context, number, org string) (string, string, bool, error) {
	for _, m := range d.made {
		if m.Org == org && strings.HasPrefix(m.LocalID, "0") && strings.TrimLeft(m.LocalID, "0") == number {
			return m.LocalID, m.Address, true, nil
		}
	}
	es, err := d.c.LookupZeroPadded(ctx, org, number)
	if err != nil || len(es) == 0 {
		return "", "", false, err
	}
	sort.Slice(es, func(i, j int) bool { return es[i].LocalID < es[j].LocalID })
	var m store.Mailbox
	d.mailbox(&es[0], &m)
	return m.LocalID, m.Address, true, nil
}

// NameMatch reads the organisation's users without a Local ID once per
// file, and matches names as the embedded directory does.
func (d *Directory) NameMatch(ctx context.Context, org, nameKey string) (string, bool, error) {
	names, ok := d.unlinked[org]
	if !ok {
		names = map[string]string{}
		err := d.c.UnlinkedUsers(ctx, org, func(e activedirectory.Entry) error {
			var m store.Mailbox
			d.mailbox(&e, &m)
			k := store.NameKey(e.Values[activedirectory.FirstName], e.Values[activedirectory.LastName])
			if have, ok := names[k]; !ok || m.Address < have {
				names[k] = m.Address
			}
			return nil
		})
		if err != nil {
			return "", false, err
		}
		d.unlinked[org] = names
	}
	addr, ok := names[nameKey]
	return addr, ok, nil
}

// AddressTaken checks mail, userPrincipalName and proxyAddresses under base_dn.
func (d *Directory) AddressTaken(ctx context.Context, address string) (bool, error) {
	if d.addrs[key(address)] {
		return true, nil
	}
	taken, err := d.c.AddressesTaken(ctx, []string{address})
	return taken[address], err
}

// String names the directory in an error that stopped a file.
func (d *Directory) String() string { return "Active Directory at " + d.c.URL() }

// TakenNumbers says nothing at once: Active Directory has no range query
// over an address's number, so provision asks AddressTaken for each
// candidate (one search, after the ones this file made, held in d.addrs).
func (d *Directory) TakenNumbers(context.Context, string, string, int) ([]int, error) {
	return nil, nil
}

// LocalIDTaken reports whether an entry carries the Local ID.
func (d *Directory) LocalIDTaken(ctx context.Context, localID string) (bool, error) {
	if _, ok := d.made[key(localID)]; ok {
		return true, nil
	}
	got, err := d.c.LookupLocalIDs(ctx, []string{localID})
	return len(got) > 0, err
}

// Audit records a change in connectord's audit trail (a read-only run's
// transaction is rolled back by its caller).
func (d *Directory) Audit(_ context.Context, a store.AuditEntry) error { return d.tx.Audit(a) }

// CreationCounts are connectord's own, in the store.
func (d *Directory) CreationCounts(context.Context) (map[string][2]int, error) {
	return d.tx.CreationCounts()
}

// AddCreated counts created mailboxes in the store.
func (d *Directory) AddCreated(_ context.Context, org string, n int) error {
	return d.tx.AddCreated(org, n)
}

// key is how Local IDs compare: ignoring the case of ASCII letters only.
func key(id string) string {
	b := []byte(id)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
