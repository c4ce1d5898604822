package ingest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"connectord/batchday"
	"connectord/inspect"
	"connectord/pushfile"
	"connectord/spool"
	"connectord/store"
)

// Rules are what the recorder needs to decide a message's disposition.
type Rules struct {
	Mailbox   string // the IMAP mailbox the position is kept for
	Policy    inspect.Policy
	Location  *time.Location
	Cutoff    batchday.Cutoff
	Reviewers []string
	// ConsoleURL, when set, is the console's public address
	// (console.public_url): the email to reviewers links to the held file.
	ConsoleURL string
	// ReadOptions returns how files are read (pick lists, organisation
	// registry), fresh for each batch.
	ReadOptions func(ctx context.Context) (pushfile.Options, error)
}

// Recorder records fetched messages: their dispositions and the emails
// about them, in one transaction per batch.
type Recorder struct {
	Store *store.Store
	Spool *spool.Spool
	Rules Rules
	Log   *slog.Logger
}

// Fetched is a message copied from the server into a committed spool
// segment.
type Fetched struct {
	UID          uint32
	InternalDate time.Time
	Ref          store.SpoolRef
	SHA256       string // of the spooled bytes
	// HeaderOnly says the message was larger (Size, its RFC822.SIZE) than
	// the policy's message limit: only its header section was fetched,
	// and Ref and SHA256 are of that.
	HeaderOnly bool
	Size       int64
}

// Outcome is what became of one fetched message.
type Outcome struct {
	UID          uint32
	SubmissionID int64 // 0 when the message was already recorded
	Sender       string
	Filename     string
	State        string // a store.State*, or "duplicate" when already recorded
	Reason       string
}

// Duplicate is the outcome state of a message recorded before (same UID,
// or the same bytes after a UIDVALIDITY change): it keeps its disposition.
const Duplicate = "duplicate"

// Record decides and records a batch, and advances the mailbox position
// to lastUID, all in one transaction.
func (r *Recorder) Record(ctx context.Context, uidValidity uint32, batch []Fetched, lastUID uint32, now time.Time) ([]Outcome, error) {
	opts, err := r.Rules.ReadOptions(ctx)
	if err != nil {
		return nil, err
	}
	// The messages are read (MIME walk, the CSV through the engine's
	// reader) in parallel ahead of the transaction, which only decides and
	// writes: the write lock is held for the decisions alone.
	rd, err := r.readAhead(ctx, batch, opts)
	if err != nil {
		return nil, err
	}
	defer rd.close()

	var out []Outcome
	err = r.Store.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		b := &batchState{roster: map[string]rosterEntry{}, trusted: map[string]bool{}, superseded: map[int64]bool{}}
		for i, f := range batch {
			rg, err := rd.next(ctx, i)
			if err != nil {
				return fmt.Errorf("message UID %d: %w", f.UID, err)
			}
			seen, err := tx.SeenMessage(uidValidity, f.UID, f.SHA256)
			if err != nil {
				return err
			}
			if seen {
				out = append(out, Outcome{UID: f.UID, State: Duplicate, Reason: "already recorded"})
				continue
			}
			d := &decision{r: r, tx: tx, batch: b, rg: rg, now: now}
			o, err := d.decide(uidValidity, f)
			if err != nil {
				return fmt.Errorf("message UID %d: %w", f.UID, err)
			}
			out = append(out, o)
		}
		// A later message of the batch may have superseded an earlier one:
		// report where each ended up.
		for i := range out {
			if !b.superseded[out[i].SubmissionID] {
				continue
			}
			sub, err := tx.Submission(out[i].SubmissionID)
			if err != nil {
				return err
			}
			out[i].State, out[i].Reason = sub.State, sub.Reason
		}
		return tx.SetIMAPState(r.Rules.Mailbox, store.IMAPState{UIDValidity: uidValidity, LastUID: lastUID})
	})
	if err != nil {
		return nil, err
	}
	// The database runs with synchronous=NORMAL, so a commit is safe from a
	// crash of this process but not yet from a power cut. The caller moves
	// the server copy next, so the commit must be on disk first.
	if err := r.Store.Flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// batchState is what one batch's transaction remembers across messages:
// roster and trust lookups (nothing else writes them meanwhile: the
// transaction holds the write lock), and the submissions it superseded.
type batchState struct {
	roster     map[string]rosterEntry
	trusted    map[string]bool
	superseded map[int64]bool
}

type rosterEntry struct {
	sender store.Sender
	ok     bool
}

func (b *batchState) rosterSender(tx *store.Tx, addr string) (store.Sender, bool, error) {
	if e, ok := b.roster[addr]; ok {
		return e.sender, e.ok, nil
	}
	s, ok, err := tx.RosterSender(addr)
	if err != nil {
		return s, ok, err
	}
	b.roster[addr] = rosterEntry{s, ok}
	return s, ok, nil
}

func (b *batchState) isTrusted(tx *store.Tx, addr string) (bool, error) {
	if t, ok := b.trusted[addr]; ok {
		return t, nil
	}
	t, err := tx.IsTrusted(addr)
	if err != nil {
		return false, err
	}
	b.trusted[addr] = t
	return t, nil
}

// decision settles one message.
type decision struct {
	r      *Recorder
	tx     *store.Tx
	batch  *batchState
	rg     *reading
	now    time.Time
	sub    store.Submission
	sender store.Sender
	report *validationReport
	mail   []*store.OutboxMessage
	// replaced are the held or accepted files of the day this one
	// superseded.
	replaced []store.Submission
}

func (d *decision) decide(uidValidity uint32, f Fetched) (Outcome, error) {
	ins := d.rg.ins
	rules := &d.r.Rules
	d.sub = store.Submission{
		UIDValidity: uidValidity, UID: f.UID, SHA256: f.SHA256, Spool: f.Ref, ReceivedAt: f.InternalDate,
		MessageID: ins.MessageID, Sender: ins.From, Subject: ins.Subject, DecidedAt: d.now,
		BatchDay: batchday.Of(f.InternalDate, rules.Location, rules.Cutoff),
	}
	d.sub.Attachments = ins.Attachments
	switch {
	case ins.CSV != nil:
		d.sub.Filename, d.sub.FileSize = ins.CSV.Filename, ins.CSV.Size
		d.sub.FileSHA256 = hex.EncodeToString(ins.CSV.SHA256[:])
	case len(ins.CSVNames) > 0: // refused: several, or a workbook named .csv
		d.sub.Filename = ins.CSVNames[0]
	case len(ins.Others) > 0:
		d.sub.Filename = ins.Others[0].Filename
	}
	if err := d.classify(ins); err != nil {
		return Outcome{}, err
	}
	if ins.Oversize != "" && d.sub.Reason != ins.AttachmentProblem {
		d.sub.Reason += " (" + ins.Oversize + ")" // why only its header is kept
	}
	if err := d.tx.InsertSubmission(&d.sub); err != nil {
		return Outcome{}, err
	}
	if err := d.settleSameDay(); err != nil {
		return Outcome{}, err
	}
	for _, m := range d.mail {
		m.SubmissionID, m.InReplyTo = d.sub.ID, d.sub.MessageID
		if m.Kind == store.MailReview {
			l := reviewMail(&d.sub, d.senderOrgs(), d.replaced, d.report, rules.ConsoleURL)
			m.Subject, m.Body = l.subject, l.body
		}
		if err := d.tx.Enqueue(m, d.now); err != nil {
			return Outcome{}, err
		}
	}
	return Outcome{UID: f.UID, SubmissionID: d.sub.ID, Sender: d.sub.Sender, Filename: d.sub.Filename,
		State: d.sub.State, Reason: d.sub.Reason}, nil
}

// classify applies the rules in order, setting the state and reason and
// the emails to send.
func (d *decision) classify(ins *inspect.Inspection) error {
	switch {
	case ins.Automatic != "":
		d.set(store.StateIgnored, "automatic mail: "+ins.Automatic)
		return nil
	case ins.SenderProblem != "":
		d.set(store.StateRejected, "sender refused: "+ins.SenderProblem)
		return nil
	case ins.AuthProblem != "":
		d.set(store.StateRejected, ins.AuthProblem) // "sender not authenticated: …"
		return nil
	}
	sender, ok, err := d.batch.rosterSender(d.tx, ins.From)
	if err != nil {
		return err
	}
	if !ok {
		d.set(store.StateRejected, "not on the Connector roster")
		d.reply(store.MailRejected, rejectMail(&d.sub, fmt.Sprintf(notOnRoster, ins.From)))
		return nil
	}
	d.sender = sender
	if ins.AttachmentProblem != "" {
		d.set(store.StateRejected, ins.AttachmentProblem)
		d.reply(store.MailRejected, rejectMail(&d.sub, ins.AttachmentProblem))
		return nil
	}
	file := d.rg.file
	if file == nil {
		return errors.New("the attachment was not read") // cannot happen: read reads every CSV judged here
	}
	if problems := file.problems; problems != nil {
		d.set(store.StateRejected, "the file cannot be used: "+strings.Join(problems, "; "))
		why := fmt.Sprintf("The file %q cannot be used, so nothing in it was applied:\n\n  %s\n\nFix these and send the file again.",
			d.sub.Filename, strings.Join(problems, "\n  "))
		d.reply(store.MailRejected, rejectMail(&d.sub, why))
		return nil
	}
	d.report = file.report(sender.MayActFor)
	d.sub.FileRows, d.sub.FileInvalid = file.rows, file.invalid
	trusted, err := d.batch.isTrusted(d.tx, ins.From)
	if err != nil {
		return err
	}
	if trusted {
		d.set(store.StateAccepted, fmt.Sprintf("for the batch of %s", d.sub.BatchDay))
	} else {
		d.set(store.StateHeld, "first file from this sender: held for review")
		for _, rv := range d.r.Rules.Reviewers {
			d.mail = append(d.mail, &store.OutboxMessage{Kind: store.MailReview, Recipient: rv})
		}
	}
	return nil
}

func (d *decision) set(state, reason string) { d.sub.State, d.sub.Reason = state, reason }

func (d *decision) reply(kind string, l letter) {
	d.mail = append(d.mail, &store.OutboxMessage{Kind: kind, Recipient: d.sub.Sender, Subject: l.subject, Body: l.body})
}

func (d *decision) senderOrgs() []string { return d.sender.Orgs }

// settleSameDay applies "only the last file submitted on that evening is
// processed": of a sender's accepted and held files for one batch day, the
// one received last stands and the others are superseded. It then queues
// the acknowledgement (or the held notice) naming what was superseded.
func (d *decision) settleSameDay() error {
	if d.sub.State != store.StateAccepted && d.sub.State != store.StateHeld {
		return nil
	}
	pending, err := d.tx.PendingForDay(d.sub.Sender, d.sub.BatchDay)
	if err != nil {
		return err
	}
	var replaced []store.Submission
	for _, p := range pending {
		if p.ID == d.sub.ID {
			continue
		}
		if p.ReceivedAt.After(d.sub.ReceivedAt) {
			// A file received later is already recorded: this one is
			// superseded at once (only possible out of UID order).
			if err := d.tx.Supersede(d.sub.ID, p.ID, d.now); err != nil {
				return err
			}
			d.batch.superseded[d.sub.ID] = true
			d.sub.State, d.sub.Reason = store.StateSuperseded, fmt.Sprintf("a later file (submission %d) replaced it", p.ID)
			d.reply(store.MailAck, ackSupersededMail(&d.sub, &p))
			d.mail = onlyKind(d.mail, store.MailAck)
			return nil
		}
		if err := d.tx.Supersede(p.ID, d.sub.ID, d.now); err != nil {
			return err
		}
		if p.State == store.StateHeld {
			// Its review and held notices are no longer true; what was
			// sent stays sent, and this file's notices name it.
			if _, err := d.tx.DropUnsentMail(p.ID, store.MailReview, store.MailHeld); err != nil {
				return err
			}
		}
		d.batch.superseded[p.ID] = true
		replaced = append(replaced, p)
	}
	d.replaced = replaced
	if d.sub.State == store.StateAccepted {
		d.reply(store.MailAck, ackMail(&d.sub, d.r.Rules.Cutoff, replaced, d.report))
	} else {
		d.reply(store.MailHeld, heldMail(&d.sub, replaced, d.report))
	}
	return nil
}

func onlyKind(ms []*store.OutboxMessage, kind string) []*store.OutboxMessage {
	var out []*store.OutboxMessage
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func ackSupersededMail(sub *store.Submission, later *store.Submission) letter {
	body := fmt.Sprintf("Your file %q was received, but a file you sent later for the same batch day (%s),\n%q, replaces it: only the last file sent for a day is processed.\n%s",
		sub.Filename, sub.BatchDay, later.Filename, signature)
	return letter{subjectRe(sub.Subject), body}
}
