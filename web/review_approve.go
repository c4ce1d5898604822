package web

import (
	"errors"
	"fmt"
	"net/http"

	"connectord/store"
)

// approve accepts a held submission for its night and trusts its sender.
// A second reviewer acting on the same file is told who decided first.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, sess *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	now := s.now()
	sub, err := s.deps.Review.Approve(r.Context(), id, sess.User.Name, now)
	if errors.Is(err, store.ErrAlreadyDecided) {
		return s.alreadyDecided(w, r, id)
	}
	if err != nil {
		return err
	}
	s.deps.WakeMail()
	s.setFlash(r, done(fmt.Sprintf("Approved %s from %s: it goes in the batch for %s, and %s is trusted from now on.",
		sub.Filename, sub.Sender, sub.BatchDay, sub.Sender)))
	return redirect(w, r, "/review")
}

// alreadyDecided tells a reviewer that someone (or connectord, for a
// superseded file) decided the submission first, and shows it.
func (s *Server) alreadyDecided(w http.ResponseWriter, r *http.Request, id int64) error {
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
