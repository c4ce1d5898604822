package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"connectord/store"
)

const (
	roleReviewer = store.RoleReviewer
	roleOperator = store.RoleOperator
)

// session is the signed-in user's session for one request.
type session struct {
	store.ConsoleSession
	flash flash
}

type sessionKey struct{}

func sessionFrom(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

// sessionCookie is the cookie's name: with the __Host- prefix when the
// browser reaches us over HTTPS (the browser then insists on Secure, Path=/
// and no Domain).
func (s *Server) sessionCookie() string {
	if s.secure() {
		return "__Host-connectord-session"
	}
	return "connectord-session"
}

// newToken returns 32 random bytes, base64url.
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// touchEvery bounds how often a session's last activity is written.
const touchEvery = time.Minute

// loadSession returns the request's valid session, or nil. An expired
// session, or one whose account is disabled, is deleted.
func (s *Server) loadSession(r *http.Request) (*session, error) {
	c, err := r.Cookie(s.sessionCookie())
	if err != nil || c.Value == "" {
		return nil, nil
	}
	h := tokenHash(c.Value)
	cs, err := s.deps.Store.ConsoleSession(r.Context(), h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if cs.User.Disabled() || now.Sub(cs.LastSeenAt) > s.cfg.SessionIdle || now.Sub(cs.CreatedAt) > s.cfg.SessionMax {
		return nil, s.deps.Store.DeleteConsoleSession(r.Context(), h)
	}
	if now.Sub(cs.LastSeenAt) >= touchEvery {
		if err := s.deps.Store.TouchConsoleSession(r.Context(), h, now); err != nil {
			return nil, err
		}
	}
	sess := &session{ConsoleSession: cs, flash: parseFlash(cs.Flash)}
	if cs.Flash != "" && r.Method == http.MethodGet {
		if err := s.deps.Store.ClearConsoleFlash(r.Context(), h); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// startSession signs user in: a fresh token (never one the browser sent)
// in a new session row, and its cookie.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, user store.ConsoleUser, addr string) error {
	token, err := newToken()
	if err != nil {
		return err
	}
	csrf, err := newToken()
	if err != nil {
		return err
	}
	now := s.now()
	if err := s.deps.Store.CreateConsoleSession(ctx, store.ConsoleSession{TokenHash: tokenHash(token), User: user,
		CSRFToken: csrf, CreatedAt: now, LastSeenAt: now, Address: addr}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure(), SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionMax / time.Second)})
	return nil
}

// endSession deletes the request's session and its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(s.sessionCookie()); err == nil && c.Value != "" {
		if err := s.deps.Store.DeleteConsoleSession(r.Context(), tokenHash(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
	return nil
}

// setFlash leaves a one-time message for the session's next page.
func (s *Server) setFlash(r *http.Request, f flash) {
	sess := sessionFrom(r)
	if sess == nil {
		return
	}
	if err := s.deps.Store.SetConsoleFlash(r.Context(), sess.TokenHash, f.String()); err != nil {
		s.log.Warn("keep message for the next page", "err", err)
	}
}
