package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"connectord/store"
)

// handlerFunc is a page or action for a signed-in user. An error it
// returns is shown as an error page (and logged when it is not an
// expected one).
type handlerFunc func(w http.ResponseWriter, r *http.Request, sess *session) error

// statusError is an error with the HTTP status and the sentence to show.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

func notFound(what string) error { return &statusError{http.StatusNotFound, what + " does not exist."} }

func badRequest(msg string) error { return &statusError{http.StatusBadRequest, msg} }

// maxFormBytes bounds an ordinary (not upload) form.
const maxFormBytes = 64 << 10

// page serves a GET page to users with at least role.
func (s *Server) page(role string, h handlerFunc) http.Handler {
	return s.signedIn(role, false, h)
}

// action serves a POST to users with at least role, after checking the
// form's session token. Uploads (multipart forms) check it themselves.
func (s *Server) action(role string, h handlerFunc) http.Handler {
	return s.signedIn(role, true, h)
}

func (s *Server) signedIn(role string, post bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.loadSession(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if sess == nil {
			target := "/login"
			if !post {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess))
		if role == roleOperator && sess.User.Role != roleOperator {
			s.fail(w, r, &statusError{http.StatusForbidden, "This page is for operators: your account is a reviewer's."})
			return
		}
		if post && !isMultipart(r) {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.fail(w, r, badRequest("The form could not be read."))
				return
			}
			if !validToken(r.PostForm.Get("csrf"), sess.CSRFToken) {
				s.fail(w, r, errBadToken)
				return
			}
		}
		if err := h(w, r, sess); err != nil {
			s.fail(w, r, err)
		}
	})
}

// errBadToken refuses a form without this session's token.
var errBadToken = &statusError{http.StatusForbidden,
	"The form was not sent from this console, or your session changed since the page was loaded. Go back, reload the page and try again."}

func validToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// fail shows an error page: the status and sentence of a statusError,
// 404 for store.ErrNotFound, else 500 with the error logged.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var se *statusError
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		s.log.Debug("console request abandoned by the browser", "method", r.Method, "path", r.URL.Path)
		return
	case errors.As(err, &se):
	case errors.Is(err, store.ErrNotFound):
		se = &statusError{http.StatusNotFound, "That does not exist (any more)."}
	default:
		s.log.Error("console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		se = &statusError{http.StatusInternalServerError, "Something went wrong on our side. The error is in connectord's log."}
	}
	title := http.StatusText(se.status)
	if se.status == http.StatusForbidden {
		title = "You cannot do that"
	}
	if rerr := s.render(w, r, se.status, "error", view{Title: title, Page: se.msg}); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		http.Error(w, se.msg, se.status)
	}
}

// pathID reads a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound(fmt.Sprintf("%q", r.PathValue(name)))
	}
	return id, nil
}

// redirect ends a POST: see the result with a GET.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
