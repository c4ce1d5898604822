package scheduler

import (
	"context"
	"fmt"
	"time"

	"connectord/spool"
	"connectord/store"
)

// refuseChanged refuses a file whose spooled copy no longer matches the
// SHA-256 recorded when it arrived: nothing in it is applied, the
// submission is rejected (so later runs do not try it again), its sender
// is asked to send the file again without being told more, and the error
// returned makes the run fail and says why (Run logs it).
func (n *Batch) refuseChanged(ctx context.Context, sub store.Submission, changed *spool.FileChangedError, now time.Time) error {
	err := n.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.Reject(sub.ID, "not processed: "+changed.Error(), now); err != nil {
			return err
		}
		subject, body := damagedMail(&sub)
		return tx.Enqueue(&store.OutboxMessage{Kind: store.MailRejected, SubmissionID: sub.ID, Recipient: sub.Sender,
			Subject: subject, Body: body, InReplyTo: sub.MessageID}, now)
	})
	if err != nil {
		return fmt.Errorf("%w; recording the refusal failed: %w", changed, err)
	}
	return fmt.Errorf("not processed, rejected, and its sender asked to send it again: %w", changed)
}

func damagedMail(sub *store.Submission) (string, string) {
	body := fmt.Sprintf("Your file %q, received %s, could not be processed in tonight's batch because of a\nproblem on our side: the copy of it kept by the connector is damaged, so nothing in\nit was applied. Please send the file again. The connector's operators have been told.\n\n-- \nconnectord, the NHSmail push connector. This message was sent automatically.\n",
		sub.Filename, sub.ReceivedAt.Format("2 Jan 2006 15:04 MST"))
	return "Not processed: " + sub.Filename, body
}
