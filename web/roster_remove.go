package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"connectord/store"
)

// rosterRemove takes an address off the roster (operators).
func (s *Server) rosterRemove(w http.ResponseWriter, r *http.Request, sess *session) error {
	addr := strings.ToLower(strings.TrimSpace(r.PostForm.Get("address")))
	ctx := r.Context()
	old, err := s.deps.Store.Sender(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		s.setFlash(r, failed(fmt.Sprintf("%s is not on the roster: nothing was removed.", addr)))
		return redirect(w, r, "/roster")
	}
	if err != nil {
		return err
	}
	now := s.now()
	if err := s.deps.Store.RemoveSender(ctx, addr); err != nil {
		return err
	}
	s.audit(r, store.ConsoleAudit{At: now, Actor: sess.User.Name, Action: store.AuditRosterRemove, Subject: addr,
		Detail: "was allowed for " + strings.Join(old.Orgs, ", ")})
	s.setFlash(r, done(addr+" was removed from the Connector roster. Files it sends are now rejected."))
	return redirect(w, r, "/roster")
}
