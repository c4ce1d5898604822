package web

import (
	"net/http"

	"connectord/store"
)

// rosterForm is the add-or-change form.
type rosterForm struct {
	Address, Orgs           string
	AddressError, OrgsError string
}

type rosterPage struct {
	Senders     []store.Sender
	Form        rosterForm
	AddressHint string // the configured domains
	Audit       []store.ConsoleAudit
}

// roster lists the Connector roster, with the form to add an address and
// the audit of changes (operators).
func (s *Server) roster(w http.ResponseWriter, r *http.Request, _ *session) error {
	return s.showRoster(w, r, http.StatusOK, rosterForm{})
}

func (s *Server) showRoster(w http.ResponseWriter, r *http.Request, status int, form rosterForm) error {
	ctx := r.Context()
	senders, err := s.deps.Store.Senders(ctx)
	if err != nil {
		return err
	}
	audit, err := s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{
		Actions: []string{store.AuditRosterPut, store.AuditRosterRemove}, Limit: 50})
	if err != nil {
		return err
	}
	return s.render(w, r, status, "roster", view{Title: "Connector roster", Nav: "roster",
		Page: rosterPage{Senders: senders, Form: form, AddressHint: addressHint(s.deps.Batch.Policy.AllowedDomains), Audit: audit}})
}
