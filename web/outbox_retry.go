package web

import (
	"errors"
	"fmt"
	"net/http"

	"connectord/store"
)

// outboxRetry puts a failed email back in the queue, now (operators). Its
// Message-ID stays the same.
func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request, sess *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
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
