package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"connectord/scheduler"
	"connectord/store"
)

type submissionPage struct {
	Sub     store.Submission
	Counts  []statusCount
	Results *resultTable
	More    int
	NoFile  string // why the results cannot be shown
	Mail    []store.OutboxMessage
	Audit   []store.ConsoleAudit
}

// Summary is the submission's summary.
func (p submissionPage) Summary() summary { return summary{Sub: p.Sub} }

// resultRowsShown bounds the rows listed for a processed file.
const resultRowsShown = 200

// submissionShow shows one submission: its disposition, its rows' results
// once processed (without generated passwords) and the mail about it.
func (s *Server) submissionShow(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	sub, err := s.deps.Store.Submission(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(fmt.Sprintf("Submission %d", id))
	}
	if err != nil {
		return err
	}
	p := submissionPage{Sub: sub, Counts: parseCounts(sub.Counts)}
	if p.Mail, err = s.deps.Store.Outbox(ctx, store.OutboxFilter{SubmissionID: id}); err != nil {
		return err
	}
	if p.Audit, err = s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{Subject: store.SubmissionSubject(id)}); err != nil {
		return err
	}
	switch {
	case !sub.PurgedAt.IsZero():
		p.NoFile = fmt.Sprintf("The received file and its results were removed on %s, at the end of their retention period. The counts above and the mail below are kept.",
			sub.PurgedAt.In(s.deps.Location).Format("2 January 2006"))
	case sub.State == store.StateProcessed:
		s.loadResults(&p)
	}
	return s.render(w, r, http.StatusOK, "submission", view{Title: fmt.Sprintf("Submission %d: %s", id, sub.Filename),
		Nav: "submissions", Page: p})
}

// loadResults reads the start of a processed submission's results file.
func (s *Server) loadResults(p *submissionPage) {
	rel := filepath.Join(scheduler.ResultsDir, fmt.Sprintf("%d.csv", p.Sub.ID))
	for _, m := range p.Mail {
		if m.Kind == store.MailResults && m.AttachmentPath != "" {
			rel = m.AttachmentPath
		}
	}
	if !filepath.IsLocal(rel) {
		p.NoFile = "The results file's recorded path is not inside the data directory."
		return
	}
	f, err := os.Open(filepath.Join(s.deps.Batch.DataDir, rel))
	if err != nil {
		p.NoFile = "The results file is not available: " + err.Error()
		return
	}
	defer f.Close()
	t, err := readResultTable(f, resultRowsShown)
	if err != nil {
		p.NoFile = "The results file could not be read: " + err.Error()
		return
	}
	p.Results = &t
	total := 0
	for _, c := range p.Counts {
		total += c.N
	}
	p.More = total - len(t.Rows)
}
