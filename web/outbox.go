package web

import (
	"net/http"

	"connectord/store"
)

type outboxPage struct {
	Failed, Waiting []store.OutboxMessage
	Depth           map[string]int
	Audit           []store.ConsoleAudit
}

// outbox lists failed and waiting mail (operators); failed mail can be
// retried.
func (s *Server) outbox(w http.ResponseWriter, r *http.Request, _ *session) error {
	ctx := r.Context()
	var p outboxPage
	var err error
	if p.Failed, err = s.deps.Store.Outbox(ctx, store.OutboxFilter{State: store.OutboxFailed}); err != nil {
		return err
	}
	for _, st := range []string{store.OutboxSending, store.OutboxPending} {
		m, err := s.deps.Store.Outbox(ctx, store.OutboxFilter{State: st, Limit: 500})
		if err != nil {
			return err
		}
		p.Waiting = append(p.Waiting, m...)
	}
	if p.Depth, err = s.deps.Store.OutboxDepth(ctx); err != nil {
		return err
	}
	if p.Audit, err = s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{Actions: []string{store.AuditRetryMail}, Limit: 30}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "outbox", view{Title: "Outbox", Nav: "outbox", Page: p})
}
