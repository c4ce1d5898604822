package provision

import (
	"context"
	"fmt"

	"connectord/pushfile"
	"connectord/store"
)

// Resumable is a directory with no transaction across its entries (Active
// Directory): a file cannot be applied whole or not at all, so it is
// applied exactly once instead. Before a row's change is sent its intent
// is recorded durably, and once the change is made its result; a run of
// the same file (the same Job.Key) after a crash, a kill or a lost
// connection replays the rows already done, reads back the entry of a row
// in doubt to learn whether its change took effect, and goes on from
// there. The journal never holds a password.
type Resumable interface {
	// Journal is what earlier runs of the file named key recorded, by line.
	Journal(ctx context.Context, key string) (map[int]store.JournalRecord, error)
	// Record makes rec durable, with the row's other work in the store
	// (the kept fields, the audit trail) done before it.
	Record(ctx context.Context, key string, rec store.JournalRecord) error
	// Forget drops the file's journal, with the work that finishes the file
	// (the caller's commit).
	Forget(ctx context.Context, key string) error
	// NewPassword gives the account m (found by Local ID) a new initial
	// password, enabled and to be changed at first sign-in.
	NewPassword(ctx context.Context, m *store.Mailbox, password string) error
	// Adopt takes on the account m that an interrupted run created: its
	// password set (enabling it, if the run stopped before), the fields
	// connectord keeps for it stored.
	Adopt(ctx context.Context, m *store.Mailbox, password string) error
}

// startJournal turns the journal on for a real run of a keyed job through
// a Resumable directory, reading what earlier runs recorded.
func (r *run) startJournal() error {
	rs, ok := r.dir.(Resumable)
	if !ok || r.job.Key == "" || r.job.DryRun {
		return nil
	}
	journal, err := rs.Journal(r.ctx, r.job.Key)
	if err != nil {
		return err
	}
	r.res, r.journal = rs, journal
	if len(journal) > 0 && r.p.Log != nil {
		r.p.Log.Info("resuming a file an earlier run did not finish", "file", r.file, "rows_recorded", len(journal))
	}
	return nil
}

// record journals rec, when the journal is on.
func (r *run) record(rec store.JournalRecord) error {
	if r.res == nil {
		return nil
	}
	return r.res.Record(r.ctx, r.job.Key, rec)
}

// recorded is a row's result as its journal record says, done.
func recorded(line int, op string, localID string, res pushfile.Result, generatedID, generatedPW bool) store.JournalRecord {
	return store.JournalRecord{Line: line, Op: op, Done: true, LocalID: localID, Status: res.Status, Detail: res.Detail,
		Address: res.EmailAddress, GeneratedLocalID: generatedID, GeneratedPassword: generatedPW}
}

// resume settles a row an earlier run of the file journaled.
func (r *run) resume(row *pushfile.Row, rec store.JournalRecord) (pushfile.Result, error) {
	delete(r.journal, row.Line) // settled now, whatever follows
	switch {
	case rec.Done:
		return r.replay(row, rec)
	case rec.Op == store.JournalCreate:
		return r.resumeCreate(row, rec)
	}
	// An update in doubt: deciding the row again applies what did not take
	// effect; the result is the one the change was sent with.
	res, err := r.settle(row)
	if err != nil || (res.Status != string(NoChange) && res.Status != string(Updated)) {
		return res, err
	}
	res = result(Updated, rec.Detail, rec.Address)
	return res, r.record(recorded(row.Line, store.JournalUpdate, rec.LocalID, res, false, false))
}

// replay gives a row already applied its recorded result. A new account
// whose password connectord generated gets a fresh one: the journal never
// holds passwords, and the results file must carry the one the account has.
func (r *run) replay(row *pushfile.Row, rec store.JournalRecord) (pushfile.Result, error) {
	res := result(Status(rec.Status), rec.Detail, rec.Address)
	if res.Status != string(New) {
		return res, nil
	}
	r.sum.Created[row.Value[pushfile.Organisation]]++
	if rec.GeneratedLocalID {
		res.LocalID = rec.LocalID
	}
	if !rec.GeneratedPassword {
		return res, nil
	}
	l, looked := r.win.looked[store.FoldLocalID(rec.LocalID)]
	m, found := l.m, l.found
	if !looked {
		var err error
		if m, found, err = r.lookup(rec.LocalID); err != nil {
			return res, err
		}
	}
	if !found {
		return res, fmt.Errorf("the journal says %s was created, but the directory has no entry with that Local ID", rec.LocalID)
	}
	pw, err := GeneratePassword(r.rnd)
	if err != nil {
		return res, err
	}
	if err := r.res.NewPassword(r.ctx, &m, pw); err != nil {
		return res, err
	}
	res.GeneratedPassword = pw
	return res, nil
}

// resumeCreate settles a creation in doubt: if the entry is there, the add
// took effect and the account is finished as the run would have finished
// it (with the file's password, or a fresh generated one); if not, the row
// is decided again.
func (r *run) resumeCreate(row *pushfile.Row, rec store.JournalRecord) (pushfile.Result, error) {
	m, found, err := r.lookup(rec.LocalID)
	if err != nil {
		return pushfile.Result{}, err
	}
	if !found {
		return r.settle(row)
	}
	// The account as the interrupted run made it of the row.
	made := store.Mailbox{Org: m.Org, Kind: store.KindMailbox, EmailSize: 4, LocalID: m.LocalID, Address: m.Address, Ref: m.Ref}
	applyRow(&made, row)
	m = made
	password, generated := row.Value[pushfile.Password], ""
	if password == "" {
		if password, err = GeneratePassword(r.rnd); err != nil {
			return pushfile.Result{}, err
		}
		generated = password
	}
	if err := r.res.Adopt(r.ctx, &m, password); err != nil {
		return pushfile.Result{}, err
	}
	_, after := changeJSON(nil, &m, allFields)
	if err := r.dir.Audit(r.ctx, store.AuditEntry{At: r.job.Now, Actor: r.job.Sender.Address, Source: r.file,
		Line: row.Line, Action: "create", Address: m.Address, LocalID: m.LocalID, After: after}); err != nil {
		return pushfile.Result{}, err
	}
	r.sum.Created[m.Org]++
	res := result(New, rec.Detail, m.Address)
	if rec.GeneratedLocalID {
		res.LocalID = m.LocalID
	}
	if err := r.record(recorded(row.Line, store.JournalCreate, m.LocalID, res, rec.GeneratedLocalID, generated != "")); err != nil {
		return pushfile.Result{}, err
	}
	res.GeneratedPassword = generated
	return res, nil
}

// lookup reads one entry by Local ID.
func (r *run) lookup(localID string) (store.Mailbox, bool, error) {
	var m store.Mailbox
	found := false
	err := r.dir.LookupLocalIDs(r.ctx, []string{localID}, func(_ string, e *store.Mailbox) { m, found = *e, true })
	return m, found, err
}
