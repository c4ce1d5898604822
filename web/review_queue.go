package web

import (
	"errors"
	"net/http"

	"connectord/store"
)

// heldItem is one held submission in the review queue.
type heldItem struct {
	Sub      store.Submission
	Orgs     []string
	OnRoster bool
}

// reviewQueue lists held submissions, oldest first.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, _ *session) error {
	subs, err := s.deps.Store.Submissions(r.Context(), store.SubmissionFilter{State: store.StateHeld})
	if err != nil {
		return err
	}
	items := make([]heldItem, 0, len(subs))
	for i := len(subs) - 1; i >= 0; i-- {
		it := heldItem{Sub: subs[i]}
		sd, err := s.deps.Store.Sender(r.Context(), subs[i].Sender)
		switch {
		case err == nil:
			it.Orgs, it.OnRoster = sd.Orgs, true
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		items = append(items, it)
	}
	return s.render(w, r, http.StatusOK, "review_queue", view{Title: "Files waiting for review", Nav: "review", Page: items})
}
