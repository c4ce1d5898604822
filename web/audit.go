package web

import (
	"net/http"
	"slices"
	"strings"

	"connectord/store"
)

type auditPage struct {
	Action, Actor string
	Actions       []string
	Rows          []store.ConsoleAudit
	Nav           keysetNav
}

// auditShown is how many rows a page lists.
const auditShown = 50

// auditLog lists every decision taken in the console or on the command
// line, newest first, by action and by who (operators).
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, _ *session) error {
	q := r.URL.Query()
	p := auditPage{Action: q.Get("action"), Actor: asciiLower(strings.TrimSpace(q.Get("actor"))), Actions: auditActions()}
	f := store.ConsoleAuditFilter{Actor: p.Actor, Before: cursor(q, "before"), After: cursor(q, "after"), Limit: auditShown + 1}
	if slices.Contains(p.Actions, p.Action) {
		f.Actions = []string{p.Action}
	} else {
		p.Action = ""
	}
	rows, err := s.deps.Store.ConsoleAuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	n := len(rows)
	p.Rows = trimPage(rows, auditShown, f.After)
	if len(p.Rows) > 0 {
		p.Nav = keyset("/audit", q, n, auditShown, p.Rows[0].ID, p.Rows[len(p.Rows)-1].ID, f.Before, f.After)
	}
	p.Nav.Label, p.Nav.NewerText, p.Nav.OlderText = "Pages of the audit", "newer entries", "older entries"
	return s.render(w, r, http.StatusOK, "audit", view{Title: "Audit", Nav: "audit", Page: p})
}
