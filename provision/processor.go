package provision

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
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

	window int // rows read ahead (windowRows when 0); tests set it
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

// rows reads every row of rd, decides and applies it through tx, and
// writes each row's result to out (when not nil).
func (p *Processor) rows(ctx context.Context, tx *store.DirectoryTx, rd *pushfile.Reader, out *pushfile.ResultsWriter, file string, job Job) (Summary, error) {
	limits, err := tx.CreationCounts()
	if err != nil {
		return Summary{}, err
	}
	r := &run{p: p, tx: tx, job: job, file: file, limits: limits, sum: Summary{Counts: Counts{}, Created: map[string]int{}},
		idCol: rd.ColumnName(pushfile.LocalID), win: window{size: p.window}}
	if r.rnd = p.Rand; r.rnd == nil {
		r.rnd = rand.Reader
	}
	for readErr := error(nil); readErr == nil; {
		if err := ctx.Err(); err != nil {
			return Summary{}, fmt.Errorf("process %s: %w", file, err)
		}
		if readErr, err = r.win.fill(rd, tx); err != nil {
			return Summary{}, fmt.Errorf("%s: %w", file, err)
		}
		if err := r.decideWindow(out); err != nil {
			return Summary{}, err
		}
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return Summary{}, readErr
		}
	}
	if !job.DryRun {
		for org, n := range r.sum.Created {
			if err := tx.AddCreated(org, n); err != nil {
				return Summary{}, err
			}
		}
	}
	if out != nil {
		if err := out.Flush(); err != nil {
			return Summary{}, fmt.Errorf("write results: %w", err)
		}
	}
	return r.sum, nil
}

// decideWindow decides the window's rows in file order and writes their
// results.
func (r *run) decideWindow(out *pushfile.ResultsWriter) error {
	for i := range r.win.rows {
		row := &r.win.rows[i]
		res, err := r.decide(row)
		if err != nil {
			return fmt.Errorf("%s line %d: %w", r.file, row.Line, err)
		}
		r.sum.Counts[Status(res.Status)]++
		if out != nil {
			if err := out.Write(row, res); err != nil {
				return fmt.Errorf("write results: %w", err)
			}
		}
	}
	return nil
}

// run is the state of one file's processing.
type run struct {
	p      *Processor
	tx     *store.DirectoryTx
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
	addr, dup, err := r.tx.NameMatch(org, store.NameKey(first, last))
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
	if err := r.tx.Update(m, r.job.Now); err != nil {
		return pushfile.Result{}, err
	}
	r.wrote(m.LocalID)
	b, a := changeJSON(&before, m, changed)
	if err := r.tx.Audit(store.AuditEntry{At: r.job.Now, Actor: r.job.Sender.Address, Source: r.file,
		Line: row.Line, Action: "update", Address: m.Address, LocalID: m.LocalID, Before: b, After: a}); err != nil {
		return pushfile.Result{}, err
	}
	names := make([]string, len(changed))
	for i, f := range changed {
		names[i] = f.String()
	}
	return result(Updated, "changed: "+strings.Join(names, ", "), m.Address), nil
}

// create settles a row that becomes a new mailbox, within the creation limit.
func (r *run) create(row *pushfile.Row) (pushfile.Result, error) {
	v := &row.Value
	org := v[pushfile.Organisation]
	lim := r.limits[org]
	if made := lim[1] + r.sum.Created[org]; made >= lim[0] {
		return result(Denied, fmt.Sprintf("creation limit %d reached for organisation %s; ask for it to be raised (NHS England: feedback@nhs.net, Scotland: nhsmail.scotland@nhs.net)", lim[0], org), ""), nil
	}
	m := &r.mb
	*m = store.Mailbox{Org: org, Kind: store.KindMailbox, EmailSize: 4}
	applyRow(m, row)
	var notes []string
	m.LocalID = v[pushfile.LocalID]
	if m.LocalID == "" {
		id, err := r.newLocalID(org)
		if err != nil {
			return pushfile.Result{}, err
		}
		m.LocalID = id
		if r.job.DryRun {
			notes = append(notes, "a Local ID will be generated")
		} else {
			notes = append(notes, "Local ID generated: "+id)
		}
	}
	addr, err := r.newAddress(v[pushfile.FirstName], v[pushfile.LastName])
	if err != nil {
		return pushfile.Result{}, err
	}
	m.Address = addr
	res := result(New, "", addr)
	if v[pushfile.Password] == "" {
		if r.job.DryRun {
			notes = append(notes, "a password will be generated")
		} else {
			pw, err := GeneratePassword(r.rnd)
			if err != nil {
				return pushfile.Result{}, err
			}
			res.GeneratedPassword = pw
		}
	}
	if err := r.tx.Insert(m, r.job.Now); err != nil {
		return pushfile.Result{}, err
	}
	r.wrote(m.LocalID)
	_, after := changeJSON(nil, m, allFields)
	if err := r.tx.Audit(store.AuditEntry{At: r.job.Now, Actor: r.job.Sender.Address, Source: r.file,
		Line: row.Line, Action: "create", Address: m.Address, LocalID: m.LocalID, After: after}); err != nil {
		return pushfile.Result{}, err
	}
	r.sum.Created[org]++
	res.Detail = strings.Join(notes, "; ")
	if v[pushfile.LocalID] == "" && !r.job.DryRun {
		res.LocalID = m.LocalID // written into the row's cell, so the results can be sent again
	}
	return res, nil
}

// newAddress finds the first free first.last, first.last2, first.last3…
// The numbers a base's addresses already take are read once a file, in
// one range query; each number chosen is still checked on its own, as
// another base can reach the same address (john.smith1 and 2, john.smith
// and 12).
func (r *run) newAddress(first, last string) (string, error) {
	base := AddressBase(first, last)
	if len(base) > maxLocalPart {
		base = strings.TrimRight(base[:maxLocalPart], ".-")
	}
	if r.next == nil {
		r.next = map[string]*collisions{}
	}
	c := r.next[base]
	if c == nil {
		taken, err := r.tx.TakenNumbers(base, r.p.Domain, maxCollision)
		if err != nil {
			return "", err
		}
		c = &collisions{next: 1, taken: taken}
		r.next[base] = c
	}
	for n := c.next; n < maxCollision; n++ {
		for len(c.taken) > 0 && c.taken[0] < n {
			c.taken = c.taken[1:]
		}
		if len(c.taken) > 0 && c.taken[0] == n {
			continue
		}
		local := base
		if n > 1 {
			local += strconv.Itoa(n)
		}
		addr := local + "@" + r.p.Domain
		taken, err := r.tx.AddressTaken(addr)
		if err != nil {
			return "", err
		}
		if !taken {
			c.next = n + 1
			if len(c.taken) < cap(c.taken)/2 {
				c.taken = slices.Clone(c.taken) // free the numbers passed
			}
			return addr, nil
		}
	}
	return "", fmt.Errorf("no free address for %s", base)
}

// maxCollision bounds the collision numbers tried for one address base.
const maxCollision = 100000

// collisions is what is known of one address base's numbers in a file.
type collisions struct {
	next  int   // the first number not yet known to be taken
	taken []int // numbers from next on taken when the file began, ascending
}

func (r *run) newLocalID(org string) (string, error) {
	for range 10 {
		id, err := GenerateLocalID(r.rnd, org)
		if err != nil {
			return "", err
		}
		taken, err := r.tx.LocalIDTaken(id)
		if err != nil {
			return "", err
		}
		if !taken {
			return id, nil
		}
	}
	return "", errors.New("could not generate an unused Local ID")
}
