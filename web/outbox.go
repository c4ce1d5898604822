package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"connectord/store"
)

// outboxFilter is the outbox page's search form.
type outboxFilter struct {
	State, Kind, Search string
}

// outboxStates are the outbox page's state filters.
var outboxStates = map[string][]string{
	"failed":  {store.OutboxFailed},
	"waiting": {store.OutboxPending, store.OutboxSending},
	"sent":    {store.OutboxSent},
}

// outboxItem is one mail in the list, with why it failed.
type outboxItem struct {
	store.OutboxMessage
	Failure *mailFailure
	// DirectRetry: a retry can succeed and no later mail about the same
	// submission has gone to the same recipient, so Retry needs no
	// confirmation.
	DirectRetry bool
}

type outboxPage struct {
	Filter outboxFilter
	Kinds  []string
	Mail   []outboxItem
	Depth  map[string]int
	Nav    keysetNav
	Audit  []store.ConsoleAudit
}

// outboxShown is how many mails a page lists.
const outboxShown = 50

// outbox lists mail newest first (operators): every state, or failed,
// waiting or sent, by kind and by part of the recipient, subject or
// Message-ID. Failed mail says why in words and can be retried.
func (s *Server) outbox(w http.ResponseWriter, r *http.Request, _ *session) error {
	ctx := r.Context()
	q := r.URL.Query()
	kinds := []string{store.MailAck, store.MailHeld, store.MailRejected, store.MailReview, store.MailDecision, store.MailResults}
	p := outboxPage{Kinds: kinds, Filter: outboxFilter{State: q.Get("state"), Kind: q.Get("kind"), Search: strings.TrimSpace(q.Get("q"))}}
	if _, ok := outboxStates[p.Filter.State]; !ok {
		p.Filter.State = ""
	}
	if !slices.Contains(kinds, p.Filter.Kind) {
		p.Filter.Kind = ""
	}
	before, after := cursor(q, "before"), cursor(q, "after")
	list, err := s.deps.Store.OutboxList(ctx, store.OutboxQuery{States: outboxStates[p.Filter.State], Kind: p.Filter.Kind,
		Search: p.Filter.Search, Before: before, After: after, Limit: outboxShown + 1})
	if err != nil {
		return err
	}
	n := len(list)
	list = trimPage(list, outboxShown, after)
	for _, m := range list {
		it := outboxItem{OutboxMessage: m}
		if m.State == store.OutboxFailed {
			f := explainFailure(m.LastError)
			it.Failure = &f
			later, err := s.deps.Store.LaterMail(ctx, m)
			if err != nil {
				return err
			}
			it.DirectRetry = f.CanSucceed && len(later) == 0
		}
		p.Mail = append(p.Mail, it)
	}
	if len(list) > 0 {
		p.Nav = keyset("/outbox", q, n, outboxShown, list[0].ID, list[len(list)-1].ID, before, after)
	}
	p.Nav.Label, p.Nav.NewerText, p.Nav.OlderText = "Pages of mail", "newer mail", "older mail"
	if p.Depth, err = s.deps.Store.OutboxDepth(ctx); err != nil {
		return err
	}
	if p.Audit, err = s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{Actions: []string{store.AuditRetryMail}, Limit: 10}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "outbox", view{Title: "Outbox", Nav: "outbox", Page: p})
}

// StateHref links the outbox filtered to one state.
func (p outboxPage) StateHref(state string) string {
	return "/outbox?" + url.Values{"state": {state}}.Encode()
}

// Waiting counts mail still to go.
func (p outboxPage) Waiting() int { return p.Depth[store.OutboxPending] + p.Depth[store.OutboxSending] }
