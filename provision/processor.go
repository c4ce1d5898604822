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
// writes each row's result to out (when not nil). Rows go in groups of
// dir.Batch(), whose Local IDs are looked up together.
func (p *Processor) rows(ctx context.Context, dir Directory, rd *pushfile.Reader, out *pushfile.ResultsWriter, file string, job Job) (Summary, error) {
	limits, err := dir.CreationCounts(ctx)
	if err != nil {
		return Summary{}, err
	}
	r := &run{p: p, ctx: ctx, dir: dir, job: job, file: file, limits: limits, sum: Summary{Counts: Counts{}, Created: map[string]int{}},
		rd: rd, idCol: rd.ColumnName(pushfile.LocalID), out: out, found: map[string]store.Mailbox{}}
	if r.rnd = p.Rand; r.rnd == nil {
		r.rnd = rand.Reader
	}
	if err := r.startJournal(); err != nil {
		return Summary{}, err
	}
	batch := max(1, dir.Batch())
	group := make([]*pushfile.Row, 0, batch)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return Summary{}, fmt.Errorf("process %s: %w", file, err)
			}
		}
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Summary{}, err
		}
		if batch == 1 {
			group = append(group[:0], row)
		} else {
			group = append(group, row.Clone())
		}
		if len(group) == batch {
			if err := r.group(group); err != nil {
				return Summary{}, err
			}
			group = group[:0]
		}
	}
	if err := r.group(group); err != nil {
		return Summary{}, err
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

// group looks up the Local IDs of rows in one go, then decides each row in
// file order and writes its result.
func (r *run) group(rows []*pushfile.Row) error {
	if len(rows) == 0 {
		return nil
	}
	clear(r.found)
	ids := r.ids[:0]
	for _, row := range rows {
		if rec, ok := r.journal[row.Line]; ok && rec.Done {
			if rec.Status == string(New) && rec.GeneratedPassword {
				ids = append(ids, rec.LocalID) // replayed with a fresh password
			}
			continue
		}
		if id := row.Value[pushfile.LocalID]; row.Valid() && id != "" && r.job.Sender.MayActFor(row.Value[pushfile.Organisation]) {
			ids = append(ids, id)
		}
	}
	r.ids = ids
	if len(ids) > 0 {
		if err := r.dir.LookupLocalIDs(r.ctx, ids, func(id string, m *store.Mailbox) { r.found[idKey(id)] = *m }); err != nil {
			return err
		}
	}
	for _, row := range rows {
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

// idKey is how Local IDs compare: ignoring the case of ASCII letters only.
func idKey(id string) string {
	for i := 0; i < len(id); i++ {
		if c := id[i]; c >= 'A' && c <= 'Z' {
			b := []byte(id)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return id
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
	// found holds the entries of the current group's Local IDs (by idKey),
	// kept up to date as its rows change them; ids is its lookup's list.
	found map[string]store.Mailbox
	ids   []string
	// next is, per address base, the first collision number not yet known
	// to be taken, so a file creating many people of one name does not
	// probe john.smith, john.smith2… from the start each time.
	next map[string]int
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
		if m, found := r.found[idKey(id)]; found {
			r.mb = m
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
	r.found[idKey(m.LocalID)] = *m
	b, a := changeJSON(&before, m, changed)
	if err := r.dir.Audit(r.ctx, store.AuditEntry{At: r.job.Now, Actor: r.job.Sender.Address, Source: r.file,
		Line: row.Line, Action: "update", Address: m.Address, LocalID: m.LocalID, Before: b, After: a}); err != nil {
		return pushfile.Result{}, err
	}
	return res, r.record(recorded(row.Line, store.JournalUpdate, m.LocalID, res, false, false))
}
