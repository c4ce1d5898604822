package web

import (
	"net/http"

	"connectord/store"
)

// organisations lists the registry: codes, units, creation limits and how
// many mailboxes connectord has created for each.
func (s *Server) organisations(w http.ResponseWriter, r *http.Request, _ *session) error {
	orgs, err := s.deps.Store.Organisations(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "organisations", view{Title: "Organisations", Nav: "organisations",
		Page: orgs})
}

// remaining is how many more mailboxes connectord may create for o.
func remaining(o store.Organisation) int { return max(o.CreationLimit-o.Created, 0) }
