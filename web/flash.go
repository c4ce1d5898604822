package web

import (
	"encoding/json"
	"net/http"
	"strings"
)

// flash is a one-time message shown on the page after a POST, or the
// state of a form a POST refused (redirect-after-POST: the GET that
// follows shows the form again with its errors).
type flash struct {
	Error bool
	Text  string
	Form  *formState
}

// formState is what a refused form held and what was wrong with it, for
// the page at Path.
type formState struct {
	Path   string            `json:"path"`
	Values map[string]string `json:"values,omitempty"`
	Errors []fieldError      `json:"errors"`
}

// fieldError is one problem with a form: Field is the id of the input the
// error summary links to.
type fieldError struct {
	Field string `json:"field"`
	Text  string `json:"text"`
}

func (f flash) String() string {
	switch {
	case f.Form != nil:
		b, err := json.Marshal(f.Form)
		if err != nil {
			return ""
		}
		return "form\t" + string(b)
	case f.Text == "":
		return ""
	case f.Error:
		return "error\t" + f.Text
	}
	return "ok\t" + f.Text
}

func parseFlash(s string) flash {
	kind, text, ok := strings.Cut(s, "\t")
	switch {
	case !ok:
		return flash{}
	case kind == "form":
		var fs formState
		if json.Unmarshal([]byte(text), &fs) != nil {
			return flash{}
		}
		return flash{Form: &fs}
	}
	return flash{Error: kind == "error", Text: text}
}

func done(text string) flash { return flash{Text: text} }

func failed(text string) flash { return flash{Error: true, Text: text} }

// refused ends a POST whose form had errors: it keeps the form's values
// and errors for the page at path and redirects there (so a reload does
// not send the form again).
func (s *Server) refused(w http.ResponseWriter, r *http.Request, path string, values map[string]string, errs ...fieldError) error {
	p := path
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	s.setFlash(r, flash{Form: &formState{Path: p, Values: values, Errors: errs}})
	return redirect(w, r, path)
}

// refusedForm is the form a POST refused and left for this page, or nil.
func refusedForm(r *http.Request) *formState {
	sess := sessionFrom(r)
	if sess == nil || sess.flash.Form == nil || sess.flash.Form.Path != r.URL.Path || r.Method != http.MethodGet {
		return nil
	}
	return sess.flash.Form
}

// value is what the refused form held in field name ("" with no form).
func (f *formState) value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// errorFor is the error of field id ("" when none).
func (f *formState) errorFor(id string) string {
	if f == nil {
		return ""
	}
	for _, e := range f.Errors {
		if e.Field == id {
			return e.Text
		}
	}
	return ""
}
