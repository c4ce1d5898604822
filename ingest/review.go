package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"connectord/store"
)

// Review decides held submissions. The decision, the sender's trust, the
// audit row and the email telling the sender commit together; when two
// reviewers act on one submission the second gets store.ErrAlreadyDecided
// naming the first.
type Review struct {
	Store *store.Store
}

// Approve accepts a held submission for the next batch that includes its
// batch day, and trusts its sender from then on.
func (r *Review) Approve(ctx context.Context, id int64, by string, now time.Time) (store.Submission, error) {
	return r.decide(ctx, id, true, "", by, now)
}

// Reject refuses a held submission; the reason goes back to the sender.
func (r *Review) Reject(ctx context.Context, id int64, reason, by string, now time.Time) (store.Submission, error) {
	if strings.TrimSpace(reason) == "" {
		return store.Submission{}, errors.New("a rejection needs a reason for the sender")
	}
	return r.decide(ctx, id, false, reason, by, now)
}

// ErrOffRoster is returned (as an *OffRosterError) when a reviewer
// approves a file whose sender is no longer on the Connector roster:
// the run would reject it, so nothing is approved.
var ErrOffRoster = errors.New("sender not on the Connector roster")

// OffRosterError is an approval refused because the sender left the
// roster after the file was held.
type OffRosterError struct{ Sub store.Submission }

func (e *OffRosterError) Error() string {
	return fmt.Sprintf("%s is no longer on the Connector roster, so tonight's run would reject %q: nothing was approved. Put the sender back on the roster and approve the file again, or reject it",
		e.Sub.Sender, e.Sub.Filename)
}

// Is makes an OffRosterError an ErrOffRoster.
func (e *OffRosterError) Is(target error) bool { return target == ErrOffRoster }

func (r *Review) decide(ctx context.Context, id int64, approve bool, reason, by string, now time.Time) (store.Submission, error) {
	var sub store.Submission
	err := r.Store.InTx(ctx, func(tx *store.Tx) error {
		state, why := store.StateRejected, "rejected by "+by+": "+reason
		if approve {
			state, why = store.StateAccepted, "approved by "+by
		}
		if err := tx.Review(id, state, why, by, now); err != nil {
			return err
		}
		var err error
		if sub, err = tx.Submission(id); err != nil {
			return err
		}
		if approve {
			if _, onRoster, err := tx.RosterSender(sub.Sender); err != nil {
				return err
			} else if !onRoster {
				return &OffRosterError{Sub: sub}
			}
			if err := tx.Trust(sub.Sender, by, id, now); err != nil {
				return err
			}
		}
		audit := store.ConsoleAudit{At: now, Actor: by, Action: store.AuditApprove, Subject: store.SubmissionSubject(id),
			Detail: fmt.Sprintf("%s from %s, batch day %s", sub.Filename, sub.Sender, sub.BatchDay)}
		if !approve {
			audit.Action, audit.Detail = store.AuditReject, fmt.Sprintf("%s from %s: %s", sub.Filename, sub.Sender, reason)
		}
		if err := tx.AddConsoleAudit(&audit); err != nil {
			return err
		}
		l := decisionMail(&sub, approve, reason)
		return tx.Enqueue(&store.OutboxMessage{Kind: store.MailDecision, SubmissionID: id, Recipient: sub.Sender,
			Subject: l.subject, Body: l.body, InReplyTo: sub.MessageID}, now)
	})
	if err != nil {
		return store.Submission{}, fmt.Errorf("review submission %d: %w", id, err)
	}
	return sub, nil
}
