package web

import (
	"errors"
	"fmt"
	"net/http"

	"connectord/ingest"
	"connectord/store"
)

// approve accepts a held submission for its run and trusts its sender.
// A second reviewer acting on the same file is told who decided first.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, sess *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
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
