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
	err := s.deps.Store.RemoveSender(r.Context(), addr, sess.User.Name, s.now())
	if errors.Is(err, store.ErrNotFound) {
		s.setFlash(r, failed(fmt.Sprintf("%s is not on the roster: nothing was removed.", addr)))
		return redirect(w, r, "/roster")
	}
	if err != nil {
		return err
	}
	s.setFlash(r, done(addr+" was removed from the Connector roster. Files it sends are now rejected."))
	return redirect(w, r, "/roster")
}
