package web

import (
	"errors"
	"fmt"
	"net/http"

	"connectord/store"
)

// retryWarnings are why retrying failed mail m needs a second thought:
// a refusal a retry would meet again, or later mail about the same
// submission that already reached the recipient.
func (s *Server) retryWarnings(r *http.Request, m store.OutboxMessage) ([]string, error) {
	var warn []string
	f := explainFailure(m.LastError)
	if !f.CanSucceed {
		warn = append(warn, f.Words+" "+f.Warning)
	}
	later, err := s.deps.Store.LaterMail(r.Context(), m)
	if err != nil {
		return nil, err
	}
	for _, l := range later {
		state := "is waiting to be sent"
		if l.State == store.OutboxSent {
			state = "was sent " + l.SentAt.In(s.deps.Location).Format("2 Jan 2006 15:04")
		}
		warn = append(warn, fmt.Sprintf("A later mail about the same submission to %s, mail %d (%s), %s: retrying sends the older news after it.",
			l.Recipient, l.ID, mailKindWords(l.Kind), state))
	}
	return warn, nil
}

// outboxRetryConfirm asks before retrying a failed mail, saying what a
// retry would meet.
func (s *Server) outboxRetryConfirm(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.deps.Store.OutboxMessage(r.Context(), id)
	if err != nil {
		return err
	}
	if m.State != store.OutboxFailed {
		s.setFlash(r, failed(fmt.Sprintf("Mail %d is not failed (any more): nothing to retry.", id)))
		return redirect(w, r, "/outbox")
	}
	warn, err := s.retryWarnings(r, m)
	if err != nil {
		return err
	}
	c := confirmPage{Caption: "Outbox", Question: fmt.Sprintf("Retry mail %d to %s?", id, m.Recipient),
		Says: append(warn, fmt.Sprintf("The mail %q goes back in the queue and is sent again at once, with the same Message-ID. It has had %d %s so far.",
			m.Subject, m.TotalAttempts, plural(m.TotalAttempts, "attempt", "attempts"))),
		Action: fmt.Sprintf("/outbox/%d/retry", id), Button: "Retry the mail",
		Cancel: "/outbox?state=failed", CancelText: "Cancel: leave it failed"}
	if len(warn) > 0 {
		c.Warning, c.Destructive = "A retry may not do what you want", true
	}
	return s.confirm(w, r, "outbox", c)
}

// outboxRetry puts a failed email back in the queue, now (operators). Its
// Message-ID stays the same. A mail a retry may not get through, or that
// later mail has overtaken, is retried only once confirmed.
func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request, sess *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		m, err := s.deps.Store.OutboxMessage(r.Context(), id)
		if err != nil {
			return err
		}
		warn, err := s.retryWarnings(r, m)
		if err != nil {
			return err
		}
		if m.State == store.OutboxFailed && len(warn) > 0 {
			return redirect(w, r, fmt.Sprintf("/outbox/%d/retry", id))
		}
	}
	err = s.deps.Store.RetryOutbox(r.Context(), id, sess.User.Name, s.now())
	if errors.Is(err, store.ErrNotFound) {
		s.setFlash(r, failed(fmt.Sprintf("Mail %d is not failed (any more): nothing to retry.", id)))
		return redirect(w, r, "/outbox")
	}
	if err != nil {
		return err
	}
	s.deps.WakeMail()
	s.setFlash(r, done(fmt.Sprintf("Mail %d is queued to be sent again.", id)))
	return redirect(w, r, "/outbox")
}
