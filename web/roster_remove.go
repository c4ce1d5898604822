package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"connectord/store"
)

// rosterRemoveConfirm asks before taking an address off the roster,
// saying what follows for its files.
func (s *Server) rosterRemoveConfirm(w http.ResponseWriter, r *http.Request, _ *session) error {
	addr := asciiLower(strings.TrimSpace(r.URL.Query().Get("address")))
	sd, err := s.deps.Store.Sender(r.Context(), addr)
	if errors.Is(err, store.ErrNotFound) {
		s.setFlash(r, failed(fmt.Sprintf("%s is not on the roster: nothing to remove.", addr)))
		return redirect(w, r, "/roster")
	}
	if err != nil {
		return err
	}
	held, err := s.deps.Store.Submissions(r.Context(), store.SubmissionFilter{Sender: addr, State: store.StateHeld})
	if err != nil {
		return err
	}
	waiting, err := s.deps.Store.Submissions(r.Context(), store.SubmissionFilter{Sender: addr, State: store.StateAccepted})
	if err != nil {
		return err
	}
	says := []string{
		fmt.Sprintf("%s will no longer be able to submit files for %s: a file it sends from now on is rejected, and it is told why.", addr, strings.Join(sd.Orgs, ", ")),
	}
	if n := len(waiting); n > 0 {
		says = append(says, fmt.Sprintf("%d approved %s from it still waiting for a night will be rejected by that night, not applied.", n, plural(n, "file", "files")))
	}
	if n := len(held); n > 0 {
		says = append(says, fmt.Sprintf("%d %s from it waiting for review can no longer be approved.", n, plural(n, "file", "files")))
	}
	says = append(says, "You can put it back on the roster later; its files are not sent again by themselves.")
	return s.confirm(w, r, "roster", confirmPage{Caption: "Connector roster", Question: "Take " + addr + " off the roster?",
		Warning: "Files from " + addr + " will be rejected", Says: says, Action: "/roster/remove",
		Hidden: map[string]string{"address": addr}, Button: "Take " + addr + " off the roster", Destructive: true,
		Cancel: "/roster", CancelText: "Cancel: keep it on the roster"})
}

// rosterRemove takes an address off the roster (operators), once
// confirmed.
func (s *Server) rosterRemove(w http.ResponseWriter, r *http.Request, sess *session) error {
	addr := asciiLower(strings.TrimSpace(r.PostForm.Get("address")))
	if r.PostForm.Get("confirm") != "yes" {
		return redirect(w, r, "/roster/remove?"+url.Values{"address": {addr}}.Encode())
	}
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
