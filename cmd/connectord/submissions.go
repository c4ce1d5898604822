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

const submissionsUsage = `connectord submissions list [-day YYYY-MM-DD] [-state STATE] [-sender ADDR] [-limit N] [-json]
connectord submissions show ID [-json]
connectord submissions file ID [-o FILE]

Every message that reached the connector mailbox, with its disposition.
States: accepted, held, superseded, rejected, ignored, processed.
-json prints one object per line.
show  also says where the received message is kept (spool segment, offset,
      size) and the SHA-256 of its CSV file.
file  writes the CSV file exactly as received (the bytes whose SHA-256 was
      recorded) to FILE, or to standard output; it refuses, writing
      nothing, when the spooled copy no longer matches.`

// spoolJSON is where a submission's raw message is kept.
type spoolJSON struct {
	Segment string `json:"segment"`
	Offset  int64  `json:"offset"`
	Size    int64  `json:"size"`
}

// submissionJSON is the -json form of a submission.
type submissionJSON struct {
	ID           int64           `json:"id"`
	Sender       string          `json:"sender"`
	Filename     string          `json:"filename"`
	Attachments  []string        `json:"attachments"`
	ReceivedAt   time.Time       `json:"received_at"`
	BatchDay     string          `json:"batch_day"`
	State        string          `json:"state"`
	Reason       string          `json:"reason"`
	MessageID    string          `json:"message_id"`
	Subject      string          `json:"subject"`
	UIDValidity  uint32          `json:"uidvalidity"`
	UID          uint32          `json:"uid"`
	SHA256       string          `json:"sha256"`
	FileSHA256   string          `json:"file_sha256,omitempty"`
	FileSize     int64           `json:"file_size,omitempty"`
	Spool        spoolJSON       `json:"spool"`
	FileRows     int             `json:"file_rows"`
	FileInvalid  int             `json:"file_invalid"`
	SupersededBy int64           `json:"superseded_by,omitempty"`
	ReviewedBy   string          `json:"reviewed_by,omitempty"`
	ProcessedAt  *time.Time      `json:"processed_at,omitempty"`
	Counts       json.RawMessage `json:"counts,omitempty"`
}

func toJSON(s store.Submission) submissionJSON {
	j := submissionJSON{ID: s.ID, Sender: s.Sender, Filename: s.Filename, Attachments: s.Attachments, ReceivedAt: s.ReceivedAt, BatchDay: s.BatchDay,
		State: s.State, Reason: s.Reason, MessageID: s.MessageID, Subject: s.Subject, UIDValidity: s.UIDValidity,
		UID: s.UID, SHA256: s.SHA256, FileSHA256: s.FileSHA256, FileSize: s.FileSize,
		Spool: spoolJSON{Segment: s.Spool.Segment, Offset: s.Spool.Offset, Size: s.Spool.Size}, FileRows: s.FileRows, FileInvalid: s.FileInvalid, SupersededBy: s.SupersededBy,
		ReviewedBy: s.ReviewedBy}
	if j.Attachments == nil {
		j.Attachments = []string{}
	}
	if !s.ProcessedAt.IsZero() {
		t := s.ProcessedAt
		j.ProcessedAt = &t
	}
	if s.Counts != "" {
		j.Counts = json.RawMessage(s.Counts)
	}
	return j
}

func runSubmissions(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("submissions", flag.ContinueOnError)
	var f store.SubmissionFilter
	fs.StringVar(&f.Day, "day", "", "batch day YYYY-MM-DD")
	fs.StringVar(&f.State, "state", "", "state")
	fs.StringVar(&f.Sender, "sender", "", "sender address")
	fs.IntVar(&f.Limit, "limit", 0, "at most N")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	out := fs.String("o", "", "file: write the CSV to `FILE` instead of standard output")
	pos, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("say list, show ID or file ID")
	}
	if f.State != "" && !validState(f.State) {
		return usagef("-state %q is not one of %s", f.State, strings.Join(store.States(), ", "))
	}
	if f.Day != "" {
		if _, err := time.Parse(time.DateOnly, f.Day); err != nil {
			return usagef("-day %q is not a date YYYY-MM-DD", f.Day)
		}
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case pos[0] == "list" && len(pos) == 1:
		subs, err := st.Submissions(ctx, f)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(a.stdout)
			for _, s := range subs {
				if err := enc.Encode(toJSON(s)); err != nil {
					return err
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tRECEIVED\tBATCH DAY\tSTATE\tSENDER\tFILE\tREASON")
		for _, s := range subs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.ReceivedAt.Local().Format("2006-01-02 15:04:05"),
				s.BatchDay, s.State, dash(s.Sender), dash(s.Filename), clip(s.Reason, 70))
		}
		return tw.Flush()
	case pos[0] == "show" && len(pos) == 2:
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil {
			return usagef("%q is not a submission ID", pos[1])
		}
		s, err := st.Submission(ctx, id)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(a.stdout).Encode(toJSON(s))
		}
		return showSubmission(ctx, a, st, s)
	case pos[0] == "file" && len(pos) == 2:
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil {
			return usagef("%q is not a submission ID", pos[1])
		}
		return submissionFile(ctx, a, st, id, *out)
	}
	return usagef("unknown or incomplete submissions command %q", strings.Join(pos, " "))
}

func showSubmission(ctx context.Context, a *app, st *store.Store, s store.Submission) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	row("submission", fmt.Sprint(s.ID))
	row("state", s.State)
	row("reason", s.Reason)
	row("sender", s.Sender)
	row("subject", s.Subject)
	row("file", s.Filename)
	if len(s.Attachments) > 1 || (len(s.Attachments) == 1 && s.Attachments[0] != s.Filename) {
		row("attachments", quotedNames(s.Attachments))
	}
	if s.FileRows > 0 {
		row("rows", fmt.Sprintf("%d (%d invalid)", s.FileRows, s.FileInvalid))
	}
	row("received", s.ReceivedAt.Local().Format(time.RFC3339))
	row("batch day", s.BatchDay)
	row("message-id", s.MessageID)
	row("imap", fmt.Sprintf("uidvalidity %d uid %d", s.UIDValidity, s.UID))
	row("sha256", s.SHA256)
	row("spool", spoolText(a, s))
	if s.FileSHA256 != "" {
		row("file sha256", fmt.Sprintf("%s (%d bytes; connectord submissions file %d writes it)", s.FileSHA256, s.FileSize, s.ID))
	}
	if s.SupersededBy != 0 {
		row("superseded by", fmt.Sprint(s.SupersededBy))
	}
	row("reviewed by", s.ReviewedBy)
	if !s.ProcessedAt.IsZero() {
		row("processed", s.ProcessedAt.Local().Format(time.RFC3339))
	}
	row("results", s.Counts)
	if !s.PurgedAt.IsZero() {
		row("files removed", s.PurgedAt.Local().Format(time.RFC3339)+" (past batch.keep_files_days)")
	}
	mail, err := st.Outbox(ctx, store.OutboxFilter{SubmissionID: s.ID})
	if err != nil {
		return err
	}
	for _, m := range mail {
		row("mail", fmt.Sprintf("%d %s to %s: %s (%s)", m.ID, m.Kind, m.Recipient, m.Subject, m.State))
	}
	return tw.Flush()
}

func validState(s string) bool {
	for _, v := range store.States() {
		if v == s {
			return true
		}
	}
	return false
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// quotedNames lists attachment names, quoted ("(unnamed)" for none).
func quotedNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "(unnamed)"
		if n != "" {
			q[i] = strconv.Quote(n)
		}
	}
	return strings.Join(q, ", ")
}
