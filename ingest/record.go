package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"connectord/pushfile"
	"connectord/store"
)

// Rules are what the recorder needs to decide a message's disposition.
type Rules struct {
	Mailbox   string // the IMAP mailbox the position is kept for
	Policy    Policy
	Location  *time.Location
	Cutoff    Cutoff
	Reviewers []string
	// MessageIDDomain is the right-hand side of the Message-IDs of the
	// emails connectord sends.
	MessageIDDomain string
	// ReadOptions returns how files are read (pick lists, organisation
	// registry), fresh for each batch.
	ReadOptions func(ctx context.Context) (pushfile.Options, error)
}

// Recorder records fetched messages: their dispositions and the emails
// about them, in one transaction per batch.
type Recorder struct {
	Store *store.Store
	Spool *Spool
	Rules Rules
	Log   *slog.Logger
}

// Fetched is a message copied from the server into a committed spool
// segment.
type Fetched struct {
	UID          uint32
	InternalDate time.Time
	Ref          store.SpoolRef
	SHA256       string
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
	tmp, err := os.CreateTemp(r.Spool.Dir(), ".attachment-*.csv")
	if err != nil {
		return nil, fmt.Errorf("attachment scratch file: %w", err)
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()

	var out []Outcome
	err = r.Store.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		for _, f := range batch {
			seen, err := tx.SeenMessage(uidValidity, f.UID, f.SHA256)
			if err != nil {
				return err
			}
			if seen {
				out = append(out, Outcome{UID: f.UID, State: Duplicate, Reason: "already recorded"})
				continue
			}
			d := &decision{r: r, tx: tx, opts: opts, tmp: tmp, now: now}
			o, err := d.decide(uidValidity, f)
			if err != nil {
				return fmt.Errorf("message UID %d: %w", f.UID, err)
			}
			out = append(out, o)
		}
		// A later message of the batch may have superseded an earlier one:
		// report where each ended up.
		for i := range out {
			if out[i].SubmissionID == 0 {
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
	return out, nil
}

// decision settles one message.
type decision struct {
	r      *Recorder
	tx     *store.Tx
	opts   pushfile.Options
	tmp    *os.File
	now    time.Time
	sub    store.Submission
	sender store.Sender
	report *validationReport
	mail   []*store.OutboxMessage
}

func (d *decision) decide(uidValidity uint32, f Fetched) (Outcome, error) {
	ins, err := d.inspect(f)
	if err != nil {
		return Outcome{}, err
	}
	rules := &d.r.Rules
	d.sub = store.Submission{
		UIDValidity: uidValidity, UID: f.UID, SHA256: f.SHA256, Spool: f.Ref, ReceivedAt: f.InternalDate,
		MessageID: ins.MessageID, Sender: ins.From, Subject: ins.Subject, DecidedAt: d.now,
		BatchDay: BatchDay(f.InternalDate, rules.Location, rules.Cutoff),
	}
	if ins.CSV != nil {
		d.sub.Filename, d.sub.FileSize = ins.CSV.Filename, ins.CSV.Size
		d.sub.FileSHA256 = hex.EncodeToString(ins.CSV.SHA256[:])
	} else if len(ins.Others) > 0 {
		d.sub.Filename = ins.Others[0].Filename
	}
	if err := d.classify(ins); err != nil {
		return Outcome{}, err
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
			l := reviewMail(&d.sub, d.senderOrgs(), d.report)
			m.Subject, m.Body = l.subject, l.body
		}
		if m.MessageID, err = NewMessageID(rules.MessageIDDomain); err != nil {
			return Outcome{}, err
		}
		if err := d.tx.Enqueue(m, d.now); err != nil {
			return Outcome{}, err
		}
	}
	return Outcome{UID: f.UID, SubmissionID: d.sub.ID, Sender: d.sub.Sender, Filename: d.sub.Filename,
		State: d.sub.State, Reason: d.sub.Reason}, nil
}

// inspect reads the spooled message, leaving its CSV attachment in d.tmp.
func (d *decision) inspect(f Fetched) (*Inspection, error) {
	msg, err := d.r.Spool.Open(f.Ref)
	if err != nil {
		return nil, err
	}
	defer msg.Close()
	if err := d.tmp.Truncate(0); err != nil {
		return nil, fmt.Errorf("reset attachment scratch file: %w", err)
	}
	if _, err := d.tmp.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reset attachment scratch file: %w", err)
	}
	ins, err := Inspect(msg, d.r.Rules.Policy, d.tmp)
	if err != nil {
		return nil, fmt.Errorf("read spooled message: %w", err)
	}
	return ins, nil
}

// classify applies the rules in order, setting the state and reason and
// the emails to send.
func (d *decision) classify(ins *Inspection) error {
	switch {
	case ins.Automatic != "":
		d.set(store.StateIgnored, "automatic mail: "+ins.Automatic)
		return nil
	case ins.SenderProblem != "":
		d.set(store.StateRejected, "sender refused: "+ins.SenderProblem)
		return nil
	case ins.AuthProblem != "":
		d.set(store.StateRejected, "sender not authenticated: "+ins.AuthProblem)
		return nil
	}
	sender, ok, err := d.tx.RosterSender(ins.From)
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
	report, problems, err := d.validate()
	if err != nil {
		return err
	}
	if problems != nil {
		d.set(store.StateRejected, "the file cannot be used: "+strings.Join(problems, "; "))
		why := fmt.Sprintf("The file %q cannot be used, so nothing in it was applied:\n\n  %s\n\nFix these and send the file again.",
			d.sub.Filename, strings.Join(problems, "\n  "))
		d.reply(store.MailRejected, rejectMail(&d.sub, why))
		return nil
	}
	d.report = report
	trusted, err := d.tx.IsTrusted(ins.From)
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

// validate reads the attachment with the engine's reader: the file-level
// problems when it is unusable, else the report of its rows.
func (d *decision) validate() (*validationReport, []string, error) {
	if _, err := d.tmp.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	rd, err := pushfile.Open(d.tmp, d.opts)
	var fe *pushfile.FileError
	if errors.As(err, &fe) {
		return nil, problemLines(fe), nil
	}
	if err != nil {
		return nil, nil, err
	}
	rep := &validationReport{}
	denied := map[string]bool{}
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &fe) {
			return nil, problemLines(fe), nil
		}
		if err != nil {
			return nil, nil, err
		}
		rep.Rows++
		if !row.Valid() {
			rep.Invalid++
			if len(rep.Lines) < maxReportLines {
				rep.Lines = append(rep.Lines, fmt.Sprintf("line %d: %s", row.Line, row.Detail()))
			} else {
				rep.More++
			}
			continue
		}
		if org := row.Value[pushfile.Organisation]; !d.sender.MayActFor(org) {
			rep.Denied++
			denied[org] = true
		}
	}
	for org := range denied {
		rep.DeniedOrgs = append(rep.DeniedOrgs, org)
	}
	sort.Strings(rep.DeniedOrgs)
	d.sub.FileRows, d.sub.FileInvalid = rep.Rows, rep.Invalid
	return rep, nil, nil
}

func problemLines(fe *pushfile.FileError) []string {
	out := make([]string, len(fe.Problems))
	for i, p := range fe.Problems {
		s := p.Message
		if p.Column != "" {
			s = p.Column + ": " + s
		}
		if p.Line > 0 {
			s = fmt.Sprintf("line %d: %s", p.Line, s)
		}
		out[i] = s
	}
	return out
}

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
			d.sub.State, d.sub.Reason = store.StateSuperseded, fmt.Sprintf("a later file (submission %d) replaced it", p.ID)
			d.reply(store.MailAck, ackSupersededMail(&d.sub, &p))
			d.mail = onlyKind(d.mail, store.MailAck)
			return nil
		}
		if err := d.tx.Supersede(p.ID, d.sub.ID, d.now); err != nil {
			return err
		}
		replaced = append(replaced, p)
	}
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

// NewMessageID makes a Message-ID (without <>) for an email connectord
// sends; it is stored with the outbox row before the first attempt.
func NewMessageID(domain string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make Message-ID: %w", err)
	}
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}
