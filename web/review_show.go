package web

import (
	"errors"
	"fmt"
	"net/http"

	"connectord/store"
)

// reviewPage is a held submission with its preview and the forms to
// decide it.
type reviewPage struct {
	Sub      store.Submission
	Orgs     []string
	OnRoster bool
	Preview  *preview
	// Invalid and Denied count the rows the night would not apply:
	// approving then asks first.
	Invalid, Denied int
	Audit           []store.ConsoleAudit
	Mail            []store.OutboxMessage
}

// NeedsConfirm reports whether approving asks first.
func (p reviewPage) NeedsConfirm() bool { return p.Invalid+p.Denied > 0 }

// reviewPreview shows one submission for review: the decision first, then
// what tonight's run would do with every row, a page at a time.
func (s *Server) reviewPreview(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadReview(r, id, readRowsQuery(r.URL.Query()))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "review", view{Title: "Review " + p.Sub.Filename, Nav: "review", Page: p})
}

// loadReview reads submission id, its sender on the roster, its preview
// (while held) and the decisions and mail about it.
func (s *Server) loadReview(r *http.Request, id int64, q rowsQuery) (reviewPage, error) {
	ctx := r.Context()
	sub, err := s.deps.Store.Submission(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return reviewPage{}, notFound(fmt.Sprintf("Submission %d", id))
	}
	if err != nil {
		return reviewPage{}, err
	}
	p := reviewPage{Sub: sub}
	sender, err := s.deps.Store.Sender(ctx, sub.Sender)
	switch {
	case err == nil:
		p.Orgs, p.OnRoster = sender.Orgs, true
	case !errors.Is(err, store.ErrNotFound):
		return p, err
	}
	switch {
	case sub.State != store.StateHeld:
	case !p.OnRoster:
		p.Preview = &preview{Skipped: sub.Sender + " is not on the Connector roster: tonight's run would reject the file " +
			"without applying any of it. Reject it, or add the sender to the roster first."}
	default:
		if p.Preview, err = s.preview(ctx, sub, sender, q); err != nil {
			return p, err
		}
		p.Invalid, p.Denied = p.Preview.NotApplied()
		if p.Preview.Skipped != "" {
			p.Invalid = sub.FileInvalid
		}
	}
	if p.Audit, err = s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{Subject: store.SubmissionSubject(id)}); err != nil {
		return p, err
	}
	if p.Mail, err = s.deps.Store.Outbox(ctx, store.OutboxFilter{SubmissionID: id}); err != nil {
		return p, err
	}
	return p, nil
}

// summary is what the submission summary partial shows.
type summary struct {
	Sub      store.Submission
	ShowOrgs bool // the sender's organisations, from the roster
	OnRoster bool
	Orgs     []string
}

// Attachments lists the message's attachments when they say more than
// its file name: several, or one other than the file.
func (s summary) Attachments() []string {
	a := s.Sub.Attachments
	if len(a) > 1 || (len(a) == 1 && a[0] != s.Sub.Filename) {
		return a
	}
	return nil
}

// Summary is the review page's submission summary, with the sender's
// organisations.
func (p reviewPage) Summary() summary {
	return summary{Sub: p.Sub, ShowOrgs: true, OnRoster: p.OnRoster, Orgs: p.Orgs}
}
