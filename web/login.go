package web

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"connectord/store"
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
	if err := s.render(w, r, status, "login", view{Title: "Sign in", Page: p}); err != nil {
		s.fail(w, r, err)
	}
}

func (s *Server) loginCookieName() string {
	if s.secure() {
		return "__Host-" + loginCookie
	}
	return loginCookie
}

// login checks a name and password, throttling repeated failures per
// account and per client address.
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
	name := strings.ToLower(strings.TrimSpace(r.PostForm.Get("name")))
	password := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	addr := s.clientAddr(r)
	page := loginPage{Name: name, Next: next}
	if name == "" || password == "" {
		page.Error = "Enter your name and password."
		s.showLogin(w, r, http.StatusUnprocessableEntity, page)
		return
	}
	now := s.now()
	keys := []string{"account:" + name, "address:" + addr}
	until, err := s.deps.Store.LoginLockedUntil(ctx, keys, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !until.IsZero() {
		s.log.Warn("console sign-in refused: throttled", "name", name, "addr", addr, "until", until)
		page.Error = lockedMessage(until, s.deps.Location)
		s.showLogin(w, r, http.StatusTooManyRequests, page)
		return
	}
	user, err := s.deps.Store.ConsoleUser(ctx, name)
	hash := user.PasswordHash
	if errors.Is(err, store.ErrNotFound) {
		hash = s.dummy.get()
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	ok, herr := s.cfg.checkPassword(hash, password)
	if herr != nil && err == nil {
		s.log.Error("console account has an unreadable password hash", "name", name, "err", herr)
	}
	if !ok || err != nil || user.Disabled() {
		var locked time.Time
		for i, lim := range []store.LoginLimit{s.cfg.AccountLimit, s.cfg.AddressLimit} {
			u, err := s.deps.Store.RecordLoginFailure(ctx, keys[i], lim, now)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if u.After(locked) {
				locked = u
			}
		}
		s.log.Warn("console sign-in failed", "name", name, "addr", addr)
		page.Error = "The name or password is not right."
		status := http.StatusUnauthorized
		if !locked.IsZero() {
			page.Error = lockedMessage(locked, s.deps.Location)
			status = http.StatusTooManyRequests
		}
		s.showLogin(w, r, status, page)
		return
	}
	if err := s.deps.Store.ClearLoginFailures(ctx, keys[0]); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.deps.Store.DeleteExpiredConsoleSessions(ctx, now.Add(-s.cfg.SessionIdle), now.Add(-s.cfg.SessionMax)); err != nil {
		s.log.Warn("remove expired console sessions", "err", err)
	}
	if err := s.startSession(ctx, w, user, addr); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.loginCookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure()})
	s.log.Info("console sign-in", "name", name, "role", user.Role, "addr", addr)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func lockedMessage(until time.Time, loc *time.Location) string {
	return "Too many failed sign-ins for this account or from this address. Try again after " +
		until.In(loc).Format("15:04") + "."
}

// clientAddr is the address failed sign-ins are counted against: the
// peer, or behind a proxy the address the proxy appended to
// X-Forwarded-For.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.BehindProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
