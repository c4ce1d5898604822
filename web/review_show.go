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
	Sub         store.Submission
	Orgs        []string
	OnRoster    bool
	Preview     *preview
	Reason      string // the rejection reason typed so far
	ReasonError string
	Audit       []store.ConsoleAudit
	Mail        []store.OutboxMessage
}

// reviewPreview shows one submission for review.
func (s *Server) reviewPreview(w http.ResponseWriter, r *http.Request, sess *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.showReview(w, r, http.StatusOK, id, reviewPage{})
}

// showReview renders the review page of submission id; form carries what
// the reviewer typed and what was wrong with it.
func (s *Server) showReview(w http.ResponseWriter, r *http.Request, status int, id int64, form reviewPage) error {
	ctx := r.Context()
	sub, err := s.deps.Store.Submission(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(fmt.Sprintf("Submission %d", id))
	}
	if err != nil {
		return err
	}
	p := form
	p.Sub = sub
	sender, err := s.deps.Store.Sender(ctx, sub.Sender)
	switch {
	case err == nil:
		p.Orgs, p.OnRoster = sender.Orgs, true
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	switch {
	case sub.State != store.StateHeld:
	case !p.OnRoster:
		p.Preview = &preview{Skipped: sub.Sender + " is not on the Connector roster: tonight's run would reject the file " +
			"without applying any of it. Reject it, or add the sender to the roster first."}
	default:
		if p.Preview, err = s.preview(ctx, sub, sender); err != nil {
			return err
		}
	}
	if p.Audit, err = s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{Subject: store.SubmissionSubject(id)}); err != nil {
		return err
	}
	if p.Mail, err = s.deps.Store.Outbox(ctx, store.OutboxFilter{SubmissionID: id}); err != nil {
		return err
	}
	return s.render(w, r, status, "review", view{Title: "Review " + sub.Filename, Nav: "review", Page: p})
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

// submissionSubject names a submission in the console audit.
