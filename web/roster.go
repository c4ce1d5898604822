package web

import (
	"net/http"
	"strings"

	"connectord/store"
)

// rosterForm is the add-or-change form.
type rosterForm struct {
	Address, Orgs           string
	AddressError, OrgsError string
}

type rosterPage struct {
	Senders     []store.Sender
	Search      string
	Nav         keysetNav
	Form        rosterForm
	AddressHint string // the configured domains
	Audit       []store.ConsoleAudit
}

// rosterShown is how many addresses a page lists.
const rosterShown = 50

// roster lists the Connector roster by address, a page at a time and by
// part of the address, with the form to add an address and the latest
// changes (operators).
func (s *Server) roster(w http.ResponseWriter, r *http.Request, _ *session) error {
	ctx := r.Context()
	q := r.URL.Query()
	p := rosterPage{Search: strings.TrimSpace(q.Get("q")), AddressHint: addressHint(s.deps.Batch.Policy.AllowedDomains)}
	if f := refusedForm(r); f != nil {
		p.Form = rosterForm{Address: f.value("address"), Orgs: f.value("orgs"),
			AddressError: f.errorFor("address"), OrgsError: f.errorFor("orgs")}
	}
	after, before := q.Get("after"), q.Get("before")
	senders, err := s.deps.Store.SendersPage(ctx, store.SenderQuery{Part: p.Search, After: after, Before: before, Limit: rosterShown + 1})
	if err != nil {
		return err
	}
	more := len(senders) > rosterShown
	if more && before != "" {
		senders = senders[1:]
	} else if more {
		senders = senders[:rosterShown]
	}
	p.Senders = senders
	p.Nav = keysetNav{Label: "Pages of the roster", NewerText: "earlier addresses", OlderText: "later addresses"}
	if len(senders) > 0 {
		link := func(key, addr string) string {
			v := q
			v = cloneValues(v)
			v.Del("after")
			v.Del("before")
			v.Set(key, addr)
			return "/roster?" + v.Encode()
		}
		if after != "" || (before != "" && more) {
			p.Nav.Newer = link("before", senders[0].Address)
		}
		if before != "" || more {
			p.Nav.Older = link("after", senders[len(senders)-1].Address)
		}
	}
	if p.Audit, err = s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{
		Actions: []string{store.AuditRosterPut, store.AuditRosterRemove}, Limit: 10}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "roster", view{Title: "Connector roster", Nav: "roster", Page: p})
}
