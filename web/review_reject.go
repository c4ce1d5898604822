package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"connectord/store"
)

// maxReason bounds a rejection reason (it goes into an email).
const maxReason = 2000

// reject refuses a held submission; the reason is emailed to the sender.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, sess *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	switch {
	case reason == "":
		return s.showReview(w, r, http.StatusUnprocessableEntity, id, reviewPage{ReasonError: "Enter a reason: it is emailed to the sender."})
	case utf8.RuneCountInString(reason) > maxReason:
		return s.showReview(w, r, http.StatusUnprocessableEntity, id, reviewPage{Reason: reason,
			ReasonError: fmt.Sprintf("The reason must be %d characters or fewer.", maxReason)})
	}
	now := s.now()
	sub, err := s.deps.Review.Reject(r.Context(), id, reason, sess.User.Name, now)
	if errors.Is(err, store.ErrAlreadyDecided) {
		return s.alreadyDecided(w, r, id, err)
	}
	if err != nil {
		return err
	}
	s.deps.WakeMail()
	s.setFlash(r, done(fmt.Sprintf("Rejected %s from %s. The reason is on its way to the sender.", sub.Filename, sub.Sender)))
	return redirect(w, r, "/review")
}
