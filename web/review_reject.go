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

// rejectConfirm asks for the reason of a rejection, saying what will
// happen; a refused attempt comes back here with its error.
func (s *Server) rejectConfirm(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sub, err := s.deps.Store.Submission(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(fmt.Sprintf("Submission %d", id))
	}
	if err != nil {
		return err
	}
	if sub.State != store.StateHeld {
		return redirect(w, r, fmt.Sprintf("/review/%d", id))
	}
	form := refusedForm(r)
	c := confirmPage{Caption: fmt.Sprintf("Submission %d", id), Question: fmt.Sprintf("Reject %s from %s?", sub.Filename, sub.Sender),
		Says: []string{"The file will not be processed: none of its rows are applied.",
			sub.Sender + " gets an email with your reason. The next file it sends is held for review again."},
		Action: fmt.Sprintf("/review/%d/reject", id),
		Reason: &reasonField{Label: "Reason for rejecting", Hint: fmt.Sprintf("Emailed to the sender as you write it, at most %d characters.", maxReason),
			Value: form.value("reason"), Error: form.errorFor("reason-text"), Max: maxReason},
		Button: "Reject the file and email the sender", Destructive: true,
		Cancel: fmt.Sprintf("/review/%d", id), CancelText: "Cancel: go back to the preview"}
	return s.confirm(w, r, "review", c)
}

// reject refuses a held submission; the reason is emailed to the sender.
// A reason that is missing or too long sends the reviewer back to the
// form with the error (redirect-after-POST).
func (s *Server) reject(w http.ResponseWriter, r *http.Request, sess *session) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	form := fmt.Sprintf("/review/%d/reject", id)
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	switch {
	case r.PostForm.Get("confirm") != "yes":
		return s.refused(w, r, form, map[string]string{"reason": reason})
	case reason == "":
		return s.refused(w, r, form, nil, fieldError{"reason-text", "Enter a reason: it is emailed to the sender."})
	case utf8.RuneCountInString(reason) > maxReason:
		return s.refused(w, r, form, map[string]string{"reason": reason},
			fieldError{"reason-text", fmt.Sprintf("The reason must be %d characters or fewer.", maxReason)})
	}
	now := s.now()
	sub, err := s.deps.Review.Reject(r.Context(), id, reason, sess.User.Name, now)
	if errors.Is(err, store.ErrAlreadyDecided) {
		return s.alreadyDecided(w, r, id, err)
	}
	if err != nil {
		return err
	}
	s.dropPreviews(r.Context(), id)
	s.deps.WakeMail()
	s.setFlash(r, done(fmt.Sprintf("Rejected %s from %s. The reason is on its way to the sender.", sub.Filename, sub.Sender)))
	return redirect(w, r, "/review")
}
