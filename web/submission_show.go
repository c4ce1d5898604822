package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"

	"connectord/store"
)

type submissionPage struct {
	Sub     store.Submission
	Counts  []statusCount
	Rows    *rowsView
	NoFile  string // why the results cannot be shown
	HasFile bool   // the received file can be downloaded
	Mail    []store.OutboxMessage
	Audit   []store.ConsoleAudit
}

// Summary is the submission's summary.
func (p submissionPage) Summary() summary { return summary{Sub: p.Sub} }

// submissionShow shows one submission: its disposition, the downloads of
// its file and results, every row's result once processed (a page at a
// time, without generated passwords) and the mail about it.
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
	p := submissionPage{Sub: sub, Counts: parseCounts(sub.Counts), HasFile: sub.FileSHA256 != "" && sub.PurgedAt.IsZero()}
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
		s.loadResults(r, &p)
	}
	return s.render(w, r, http.StatusOK, "submission", view{Title: fmt.Sprintf("Submission %d: %s", id, sub.Filename),
		Nav: "submissions", Page: p})
}

// loadResults reads the page of a processed submission's results the
// request asks for.
func (s *Server) loadResults(r *http.Request, p *submissionPage) {
	rel, _, err := s.resultsFile(r.Context(), p.Sub)
	if err != nil {
		p.NoFile = "The results file cannot be found: " + err.Error()
		return
	}
	dir, meta, err := s.resultsIndex(r.Context(), p.Sub, rel)
	if err != nil {
		s.log.Warn("results not shown", "submission", p.Sub.ID, "file", filepath.Base(rel), "err", err)
		p.NoFile = "The results file is not available: " + err.Error()
		return
	}
	p.Rows, err = s.rowsPage(dir, meta, readRowsQuery(r.URL.Query()), false, fmt.Sprintf("/submissions/%d", p.Sub.ID), url.Values{})
	if err != nil {
		p.NoFile = "The results file could not be read: " + err.Error()
	}
}
