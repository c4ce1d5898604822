package web

import (
	"net/http"
	"strings"
)

// loginCookie carries the sign-in form's token (double submit): the form
// has no session to bind a token to yet.
const loginCookie = "connectord-login"

type loginPage struct {
	Name  string
	Next  string
	Token string
	Error string
}

// loginPage shows the sign-in form.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if sess, err := s.loadSession(r); err == nil && sess != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, loginPage{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	token, err := newToken()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.loginCookieName(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure(), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	p.Token = token
	v := view{Title: "Sign in", Page: p}
	if p.Error != "" {
		v.Errors = []fieldError{{"name", p.Error}}
	}
	if err := s.render(w, r, status, "login", v); err != nil {
		s.fail(w, r, err)
	}
}

func (s *Server) loginCookieName() string {
	if s.secure() {
		return "__Host-" + loginCookie
	}
	return loginCookie
}

// login checks a name and password (signIn), then starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, badRequest("The form could not be read."))
		return
	}
	c, err := r.Cookie(s.loginCookieName())
	if err != nil || !validToken(r.PostForm.Get("csrf"), c.Value) {
		s.fail(w, r, errBadToken)
		return
	}
	ctx := r.Context()
	raw := strings.TrimSpace(r.PostForm.Get("name"))
	password := r.PostForm.Get("password")
	addr := s.clientAddr(r)
	page := loginPage{Next: safeNext(r.PostForm.Get("next"))}
	name, usable := signInName(raw)
	if page.Name = name; !usable && len(raw) <= maxSignInName {
		page.Name = raw
	}
	if raw == "" || password == "" {
		page.Error = "Enter your name and password."
		s.showLogin(w, r, http.StatusUnprocessableEntity, page)
		return
	}
	if !usable {
		s.log.Warn("console sign-in refused: no account can have that name", "bytes", len(raw), "addr", addr)
		page.Error = wrongPassword
		s.showLogin(w, r, http.StatusUnauthorized, page)
		return
	}
	user, refusal, err := s.signIn(ctx, name, password, addr)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if refusal != nil {
		if refusal.retryAfter != "" {
			w.Header().Set("Retry-After", refusal.retryAfter)
		}
		page.Error = refusal.msg
		s.showLogin(w, r, refusal.status, page)
		return
	}
	now := s.now()
	if _, err := s.deps.Store.DeleteExpiredConsoleSessions(ctx, now.Add(-s.cfg.SessionIdle), now.Add(-s.cfg.SessionMax)); err != nil {
		s.log.Warn("remove expired console sessions", "err", err)
	}
	if err := s.startSession(ctx, w, user, addr); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.loginCookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure()})
	s.log.Info("console sign-in", "name", name, "role", user.Role, "addr", addr)
	http.Redirect(w, r, page.Next, http.StatusSeeOther)
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *session) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	s.log.Info("console sign-out", "name", sess.User.Name)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
