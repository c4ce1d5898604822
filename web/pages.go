package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed templates
var templateFiles embed.FS

// pages holds every page's template, each parsed with the layout and the
// partials (templates/partials*.html) once at start-up.
type pages struct {
	byName map[string]*template.Template
}

func parsePages(funcs template.FuncMap) (*pages, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" || strings.HasPrefix(base, "partials") {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/partials*.html", name)
		if err != nil {
			return nil, err
		}
		if t.Lookup("content") == nil || t.Lookup("title") == nil {
			return nil, fmt.Errorf("%s: defines no \"title\" and \"content\"", base)
		}
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

// view is what every page gets: the signed-in user, the form token, the
// one-time message and the page's own data.
type view struct {
	Title    string
	Nav      string // the navigation item to mark current
	Refresh  int    // seconds before the page reloads itself; 0: never
	User     string
	Role     string
	Operator bool
	CSRF     string
	Flash    flash
	// Errors are the form's problems: the error summary at the top of
	// the page links each to its field, and the title starts "Error:".
	Errors []fieldError
	Held   int // files waiting for review, for the navigation
	NHS    bool
	Page   any
}

// HasError reports whether the page shows an error (its title then
// starts with "Error:", as the NHS.UK error pattern asks).
func (v view) HasError() bool { return len(v.Errors) > 0 || (v.Flash.Error && v.Flash.Text != "") }

// render executes a page into a buffer and only then writes it, so a
// template error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) error {
	t := s.pages.byName[name]
	if t == nil {
		return fmt.Errorf("no page %q", name)
	}
	if sess := sessionFrom(r); sess != nil {
		v.User, v.Role, v.CSRF = sess.User.Name, sess.User.Role, sess.CSRFToken
		v.Operator = sess.User.Role == roleOperator
		if v.Flash.Text == "" && sess.flash.Form == nil {
			v.Flash = sess.flash
		}
		if f := refusedForm(r); f != nil && v.Errors == nil {
			v.Errors = f.Errors
		}
		held, err := s.deps.Store.HeldCount(r.Context())
		if err != nil {
			s.log.Warn("count held files for the menu", "err", err)
		}
		v.Held = held
	}
	v.NHS = s.nhs
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	if err != nil {
		s.log.Debug("write page", "page", name, "err", err)
	}
	return nil
}
