package web

import (
	"errors"
	"fmt"
	"net/http"

	"connectord/ingest"
	"connectord/store"
)

// approveConfirm asks before approving a file with rows tonight's run
// would not apply, saying how many and why.
func (s *Server) approveConfirm(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.loadReview(r, id, rowsQuery{})
	if err != nil {
		return err
	}
	if p.Sub.State != store.StateHeld {
		return redirect(w, r, fmt.Sprintf("/review/%d", id))
	}
	sub := p.Sub
	c := confirmPage{Caption: "Submission " + fmt.Sprint(id), Question: "Approve " + sub.Filename + "?",
		Action: fmt.Sprintf("/review/%d/approve", id), Button: "Approve the file",
		Cancel: fmt.Sprintf("/review/%d", id), CancelText: "Cancel: go back to the preview"}
	if p.NeedsConfirm() {
		c.Question = fmt.Sprintf("Approve %s with %d %s that would not be applied?", sub.Filename, p.Invalid+p.Denied,
			plural(p.Invalid+p.Denied, "row", "rows"))
		c.Warning = "Some rows would not be applied"
		c.Says = append(c.Says, fmt.Sprintf("Tonight's run would apply %d of the file's %d rows. The others would be reported to the sender with the reason, and nothing would be done with them:",
			sub.FileRows-p.Invalid-p.Denied, sub.FileRows))
		if p.Preview != nil && p.Preview.Rows != nil {
			for _, cat := range p.Preview.Rows.Categories {
				if cat.Status == "INVALID" || cat.Status == "ACCESS_DENIED" {
					c.Items = append(c.Items, fmt.Sprintf("%s: %d %s. %s", cat.Label, cat.N, plural(cat.N, "row", "rows"), cat.Meaning))
				}
			}
		} else {
			c.Items = append(c.Items, fmt.Sprintf("INVALID: %d %s, found when the file arrived.", p.Invalid, plural(p.Invalid, "row", "rows")))
		}
	}
	c.Says = append(c.Says, fmt.Sprintf("Approving puts the file in the batch for %s, and trusts %s from then on: later files from it are processed without review. "+
		"The sender is emailed that the file was approved.", sub.BatchDay, sub.Sender))
	return s.confirm(w, r, "review", c)
}

// approve accepts a held submission for its night and trusts its sender;
// a file with rows the night would not apply is approved only once
// confirmed. A second reviewer acting on the same file is told who
// decided first.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, sess *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		p, err := s.loadReview(r, id, rowsQuery{})
		if err != nil {
			return err
		}
		if p.Sub.State == store.StateHeld && p.NeedsConfirm() {
			return redirect(w, r, fmt.Sprintf("/review/%d/approve", id))
		}
	}
	now := s.now()
	sub, err := s.deps.Review.Approve(r.Context(), id, sess.User.Name, now)
	var off *ingest.OffRosterError
	switch {
	case errors.Is(err, store.ErrAlreadyDecided):
		return s.alreadyDecided(w, r, id, err)
	case errors.As(err, &off):
		s.setFlash(r, failed("Nothing was done: "+off.Error()+"."))
		return redirect(w, r, fmt.Sprintf("/review/%d", id))
	case err != nil:
		return err
	}
	s.dropPreviews(r.Context(), id)
	s.deps.WakeMail()
	s.setFlash(r, done(fmt.Sprintf("Approved %s from %s: it goes in the batch for %s, and %s is trusted from now on.",
		sub.Filename, sub.Sender, sub.BatchDay, sub.Sender)))
	return redirect(w, r, "/review")
}

// alreadyDecided tells a reviewer that someone (or connectord, for a
// superseded file) decided the submission first, and shows it. A file a
// later one replaced names that file.
func (s *Server) alreadyDecided(w http.ResponseWriter, r *http.Request, id int64, cause error) error {
	var se *store.SupersededError
	if errors.As(cause, &se) {
		s.setFlash(r, failed("Nothing was done: "+se.Error()+"."))
		return redirect(w, r, fmt.Sprintf("/review/%d", id))
	}
	sub, err := s.deps.Store.Submission(r.Context(), id)
	if err != nil {
		return err
	}
	who, when := sub.ReviewedBy, sub.ReviewedAt
	if who == "" {
		who, when = "connectord", sub.DecidedAt
	}
	s.setFlash(r, failed(fmt.Sprintf("Nothing was done: %s was already decided by %s at %s: it is %s.",
		sub.Filename, who, when.In(s.deps.Location).Format("15:04"), sub.State)))
	return redirect(w, r, fmt.Sprintf("/review/%d", id))
}

// audit records a console decision; a failure is logged, the decision
// stands.
func (s *Server) audit(r *http.Request, a store.ConsoleAudit) {
	if err := s.deps.Store.AddConsoleAudit(r.Context(), &a); err != nil {
		s.log.Error("console audit not written", "action", a.Action, "subject", a.Subject, "actor", a.Actor, "err", err)
	}
}
