package provision

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"connectord/pushfile"
	"connectord/store"
)

// maxAddressRetries bounds how often a creation moves on to the next
// address because the directory found the address in use only when asked
// to create it.
const maxAddressRetries = 10

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
	password := v[pushfile.Password]
	var generated string
	if password == "" {
		if r.job.DryRun {
			notes = append(notes, "a password will be generated")
		} else {
			pw, err := GeneratePassword(r.rnd)
			if err != nil {
				return pushfile.Result{}, err
			}
			password, generated = pw, pw
		}
	}
	if r.job.DryRun {
		password = ""
	}
	genID := v[pushfile.LocalID] == ""
	intent := store.JournalRecord{Line: row.Line, Op: store.JournalCreate, LocalID: m.LocalID, Status: string(New),
		Detail: strings.Join(notes, "; "), GeneratedLocalID: genID, GeneratedPassword: generated != ""}
	if err := r.record(intent); err != nil {
		return pushfile.Result{}, err
	}
	refused, err := r.insert(m, password)
	if err != nil {
		return pushfile.Result{}, err
	}
	if refused != nil {
		res := result(Invalid, r.rd.ColumnName(refused.Field)+": "+refused.Reason, "")
		return res, r.record(recorded(row.Line, store.JournalCreate, m.LocalID, res, false, false))
	}
	r.wrote(m.LocalID)
	res := result(New, "", m.Address)
	res.GeneratedPassword = generated
	_, after := changeJSON(nil, m, allFields)
	if err := r.dir.Audit(r.ctx, store.AuditEntry{At: r.job.Now, Actor: r.job.Sender.Address, Source: r.file,
		Line: row.Line, Action: "create", Address: m.Address, LocalID: m.LocalID, After: after}); err != nil {
		return pushfile.Result{}, err
	}
	r.sum.Created[org]++
	res.Detail = intent.Detail
	if genID && !r.job.DryRun {
		res.LocalID = m.LocalID // written into the row's cell, so the results can be sent again
	}
	return res, r.record(recorded(row.Line, store.JournalCreate, m.LocalID, res, genID, generated != ""))
}

// insert gives m a free address and creates it. A refusal (with a nil
// error) means the directory refused the row and made nothing.
func (r *run) insert(m *store.Mailbox, password string) (*Refusal, error) {
	for try := 0; ; try++ {
		addr, err := r.newAddress(m.FirstName, m.LastName)
		if err != nil {
			return nil, err
		}
		m.Address = addr
		err = r.dir.Create(r.ctx, m, password, r.job.Now)
		var no *Refusal
		switch {
		case err == nil:
			return nil, nil
		case errors.As(err, &no):
			return no, nil
		case errors.Is(err, ErrAddressTaken) && try < maxAddressRetries:
			continue // newAddress has moved past it
		}
		return nil, err
	}
}

// newAddress finds the first free first.last, first.last2, first.last3…
// The numbers a base's addresses already take are read once a file
// (Directory.TakenNumbers, one range query on the embedded directory);
// each number chosen is still checked on its own, as another base can
// reach the same address (john.smith1 and 2, john.smith and 12).
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
		taken, err := r.dir.TakenNumbers(r.ctx, base, r.p.Domain, maxCollision)
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
		taken, err := r.dir.AddressTaken(r.ctx, addr)
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
		taken, err := r.dir.LocalIDTaken(r.ctx, id)
		if err != nil {
			return "", err
		}
		if !taken {
			return id, nil
		}
	}
	return "", errors.New("could not generate an unused Local ID")
}
