package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"connectord/store"
)

const outboxUsage = `connectord outbox list [-state pending|sending|sent|failed] [-json]
connectord outbox retry ID [-by NAME]
connectord outbox send

list   shows the mail connectord has queued or sent.
retry  puts a failed message back in the queue (same Message-ID).
send   sends every message that is due now, once, and exits (for use
       without the daemon). Messages found mid-send from a stopped process
       are marked failed first: they may have been delivered.`

type outboxJSON struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	SubmissionID int64     `json:"submission_id,omitempty"`
	Recipient    string    `json:"recipient"`
	Subject      string    `json:"subject"`
	MessageID    string    `json:"message_id"`
	Attachment   string    `json:"attachment,omitempty"`
	State        string    `json:"state"`
	Attempts     int       `json:"attempts"`
	NextAttempt  time.Time `json:"next_attempt"`
	LastError    string    `json:"last_error,omitempty"`
	Created      time.Time `json:"created"`
	Sent         time.Time `json:"sent,omitzero"`
}

func runOutbox(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("outbox", flag.ContinueOnError)
	state := fs.String("state", "", "state")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	by := fs.String("by", "", "who retries, for the audit trail (default: your login name)")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say list, retry ID or send")
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case pos[0] == "list" && len(pos) == 1:
		list, err := st.Outbox(ctx, store.OutboxFilter{State: *state})
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(a.stdout)
			for _, m := range list {
				if err := enc.Encode(outboxJSON{ID: m.ID, Kind: m.Kind, SubmissionID: m.SubmissionID, Recipient: m.Recipient,
					Subject: m.Subject, MessageID: m.MessageID, Attachment: m.AttachmentName, State: m.State,
					Attempts: m.Attempts, NextAttempt: m.NextAttemptAt, LastError: m.LastError, Created: m.CreatedAt,
					Sent: m.SentAt}); err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tTO\tSTATE\tATTEMPTS\tCREATED\tSUBJECT\tLAST ERROR")
		for _, m := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.Kind, m.Recipient, m.State, m.Attempts,
				m.CreatedAt.Local().Format("2006-01-02 15:04"), clip(m.Subject, 50), clip(m.LastError, 60))
		}
		return tw.Flush()
	case pos[0] == "retry" && len(pos) == 2:
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil {
			return usagef("%q is not a message ID", pos[1])
		}
		if err := st.RetryOutbox(ctx, id, operatorName(*by), time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "mail %d queued again\n", id)
		return nil
	case pos[0] == "send" && len(pos) == 1:
		s, err := a.mailer(ctx, st)
		if err != nil {
			return err
		}
		if err := s.Recover(ctx); err != nil {
			return err
		}
		stats, err := s.DrainOnce(ctx)
		fmt.Fprintf(a.stderr, "sent %d, deferred %d, failed %d\n", stats.Sent, stats.Retried, stats.Failed)
		return err
	}
	return usagef("unknown or incomplete outbox command %q", strings.Join(pos, " "))
}
