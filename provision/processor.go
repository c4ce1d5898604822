package provision

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"connectord/pushfile"
	"connectord/store"
)

// Processor applies push files to the directory.
type Processor struct {
	// Domain is the mail domain of new mailboxes.
	Domain string
	// Rand is the source of generated passwords and Local IDs; nil means
	// crypto/rand. Tests pass a fixed stream for golden files.
	Rand io.Reader
	Log  *slog.Logger

	window int // rows read ahead (the Directory's Batch when 0); tests set it
}

// Job says whose file this is, when it runs and where its results go.
type Job struct {
	Sender store.Sender
	Now    time.Time // the time stamped on every change
	// DryRun decides every row but the caller rolls the transaction back:
	// no passwords are generated and Detail says what would happen.
	DryRun bool
	// Results receives the results file: the file as received with
	// Result, Detail, EmailAddress and GeneratedPassword added to every
	// row. Nil writes none.
	Results io.Writer
	// Key names the file for a directory that journals its rows
	// (Resumable): a run with the key of one that stopped part-way
	// resumes it. "" journals nothing.
	Key string
}

// Summary is what a processed file came to.
type Summary struct {
	Counts Counts
	// Created counts new mailboxes per organisation.
	Created map[string]int
}

// maxLocalPart keeps generated addresses within RFC 5321's 64 characters,
// leaving room for a collision number.
const maxLocalPart = 58

// rows reads every row of rd, decides and applies it through dir, and
// writes each row's result to out (when not nil). Rows are read a window
// at a time (dir.Batch() rows), whose Local IDs are looked up together.
func (p *Processor) rows(ctx context.Context, dir Directory, rd *pushfile.Reader, out *pushfile.ResultsWriter, file string, job Job) (Summary, error) {
	limits, err := dir.CreationCounts(ctx)
	if err != nil {
		return Summary{}, err
	}
	size := p.window
	if size <= 0 {
		size = max(1, dir.Batch())
	}
	r := &run{p: p, ctx: ctx, dir: dir, job: job, file: file, limits: limits, sum: Summary{Counts: Counts{}, Created: map[string]int{}},
		rd: rd, idCol: rd.ColumnName(pushfile.LocalID), out: out, win: window{size: size}}
	if r.rnd = p.Rand; r.rnd == nil {
		r.rnd = rand.Reader
	}
	if err := r.startJournal(); err != nil {
		return Summary{}, err
	}
	for readErr := error(nil); readErr == nil; {
		if err := ctx.Err(); err != nil {
			return Summary{}, fmt.Errorf("process %s: %w", file, err)
		}
		if readErr, err = r.win.fill(ctx, rd, dir, r.lookupID); err != nil {
			return Summary{}, fmt.Errorf("%s: %w", file, err)
		}
		if err := r.decideWindow(); err != nil {
			return Summary{}, err
		}
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return Summary{}, readErr
		}
	}
	if !job.DryRun {
		for org, n := range r.sum.Created {
			if err := dir.AddCreated(ctx, org, n); err != nil {
				return Summary{}, err
			}
		}
	}
	if r.res != nil {
		if err := r.res.Forget(ctx, job.Key); err != nil {
			return Summary{}, err
		}
	}
	if out != nil {
		if err := out.Flush(); err != nil {
			return Summary{}, fmt.Errorf("write results: %w", err)
		}
	}
	return r.sum, nil
}

// lookupID is the Local ID the window looks up for a row ("" for none):
// its own, when the sender may act for its organisation; for a row an
// earlier run of the file finished (the journal), none, unless it created
// an account whose password the replay sets afresh.
func (r *run) lookupID(row *pushfile.Row) string {
	if rec, ok := r.journal[row.Line]; ok && rec.Done {
		if rec.Status == string(New) && rec.GeneratedPassword {
			return rec.LocalID
		}
		return ""
	}
	if id := row.Value[pushfile.LocalID]; id != "" && row.Valid() && r.job.Sender.MayActFor(row.Value[pushfile.Organisation]) {
		return id
	}
	return ""
}

// decideWindow decides the window's rows in file order and writes their
// results.
func (r *run) decideWindow() error {
	for i := range r.win.rows {
		row := &r.win.rows[i]
		res, err := r.decide(row)
		if err != nil {
			return fmt.Errorf("%s line %d: %w", r.file, row.Line, err)
		}
		r.sum.Counts[Status(res.Status)]++
		if r.out != nil {
			if err := r.out.Write(row, res); err != nil {
				return fmt.Errorf("write results: %w", err)
			}
		}
	}
	return nil
}

// run is the state of one file's processing.
type run struct {
	p      *Processor
	ctx    context.Context
	dir    Directory
	rd     *pushfile.Reader
	out    *pushfile.ResultsWriter
	job    Job
	file   string // the file's name, for the audit trail
	rnd    io.Reader
	limits map[string][2]int
	sum    Summary
	mb     store.Mailbox
	idCol  string // the Local ID column's name in the file's format
	// next is, per address base, what is known of its collision numbers,
	// so a file creating many people of one name does not probe
	// john.smith, john.smith2… from the start each time.
	next map[string]*collisions
	win  window // the rows read ahead, with their Local IDs looked up
	// res is the directory's journal when it is on (Resumable), and
	// journal what earlier runs of the file recorded, by line, each
	// removed as its row is settled.
	res     Resumable
	journal map[int]store.JournalRecord
}

func result(s Status, detail, address string) pushfile.Result {
	return pushfile.Result{Status: string(s), Detail: detail, EmailAddress: address}
}

// decide settles one row. The row's own notes and warnings (an old-format
// column that was ignored, a telephone number that lost its leading 0)
// follow what processing says in Detail, whatever the row's result.
func (r *run) decide(row *pushfile.Row) (pushfile.Result, error) {
	if !row.Valid() {
		return result(Invalid, row.Detail(), ""), nil
	}
	res, err := r.settle(row)
	if err != nil {
		return res, err
	}
	if d := row.Detail(); d != "" {
		if res.Detail != "" {
			d = res.Detail + "; " + d
		}
		res.Detail = d
	}
	return res, nil
}

// settle decides a valid row, in the order of the rules.
func (r *run) settle(row *pushfile.Row) (pushfile.Result, error) {
	v := &row.Value
	org := v[pushfile.Organisation]
	if rec, ok := r.journal[row.Line]; ok && r.job.Sender.MayActFor(org) {
		return r.resume(row, rec)
	}
	if !r.job.Sender.MayActFor(org) {
		return result(Denied, fmt.Sprintf("%s does not hold the Connector role for organisation %s (it does for: %s)",
			r.job.Sender.Address, org, orgList(r.job.Sender.Orgs)), ""), nil
	}
	if id := v[pushfile.LocalID]; id != "" {
		found, err := r.byLocalID(id)
		if err != nil {
			return pushfile.Result{}, err
		}
		if found {
			return r.existing(row)
		}
		if res, lost, err := r.lostZeros(id, org); lost || err != nil {
			return res, err
		}
	}
	first, last := v[pushfile.FirstName], v[pushfile.LastName]
	addr, dup, err := r.dir.NameMatch(r.ctx, org, store.NameKey(first, last))
	if err != nil {
		return pushfile.Result{}, err
	}
	if dup {
		return result(Duplicate, fmt.Sprintf("matches %s, a mailbox of %s created without a Local ID; set its Local ID in the Portal, then send the row again", addr, org), addr), nil
	}
	return r.create(row)
}

func orgList(orgs []string) string {
	if len(orgs) == 0 {
		return "none"
	}
	return strings.Join(orgs, ", ")
}

// existing settles a row whose Local ID is in the directory (loaded in r.mb).
func (r *run) existing(row *pushfile.Row) (pushfile.Result, error) {
	m := &r.mb
	org := row.Value[pushfile.Organisation]
	switch {
	case m.Kind == store.KindContact:
		return result(Contact, "the Local ID belongs to a contact migrated from NHSmail 1; contacts are not updated", m.Address), nil
	case m.Org != org:
		return result(Leaver, fmt.Sprintf("the Local ID belongs to %s of organisation %s; mark leavers and joiners in the Portal", m.Address, m.Org), m.Address), nil
	}
	before := *m
	changed := applyRow(m, row)
	if len(changed) == 0 {
		return result(NoChange, "", m.Address), nil
	}
	names := make([]string, len(changed))
	for i, f := range changed {
		names[i] = f.String()
	}
	res := result(Updated, "changed: "+strings.Join(names, ", "), m.Address)
	intent := recorded(row.Line, store.JournalUpdate, m.LocalID, res, false, false)
	intent.Done = false
	if err := r.record(intent); err != nil {
		return pushfile.Result{}, err
	}
	if err := r.dir.Update(r.ctx, m, changed, r.job.Now); err != nil {
		var no *Refusal
		if errors.As(err, &no) {
			*m = before
			res := result(Invalid, r.rd.ColumnName(no.Field)+": "+no.Reason, m.Address)
			return res, r.record(recorded(row.Line, store.JournalUpdate, m.LocalID, res, false, false))
		}
		return pushfile.Result{}, err
	}
	r.wrote(m.LocalID)
	b, a := changeJSON(&before, m, changed)
	if err := r.dir.Audit(r.ctx, store.AuditEntry{At: r.job.Now, Actor: r.job.Sender.Address, Source: r.file,
		Line: row.Line, Action: "update", Address: m.Address, LocalID: m.LocalID, Before: b, After: a}); err != nil {
		return pushfile.Result{}, err
	}
	return res, r.record(recorded(row.Line, store.JournalUpdate, m.LocalID, res, false, false))
}
