package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"connectord/store"
)

// submissionFilter is the submissions page's search form: any of them
// together.
type submissionFilter struct {
	Day, State, Sender, File string
}

type submissionsPage struct {
	Filter   submissionFilter
	States   []string
	Subs     []store.Submission
	Nav      keysetNav
	Filtered bool
}

// submissionsShown is how many a page lists.
const submissionsShown = 50

// submissionList lists submissions, newest first, a page at a time,
// searched by batch day, state, part of the sender's address and part of
// the file name together.
func (s *Server) submissionList(w http.ResponseWriter, r *http.Request, _ *session) error {
	q := r.URL.Query()
	f := submissionFilter{Day: strings.TrimSpace(q.Get("day")), State: q.Get("state"),
		Sender: strings.TrimSpace(q.Get("sender")), File: strings.TrimSpace(q.Get("file"))}
	p := submissionsPage{Filter: f, States: store.States()}
	if !slices.Contains(p.States, f.State) {
		f.State, p.Filter.State = "", ""
	}
	var errs []fieldError
	if f.Day != "" {
		if _, err := time.Parse(time.DateOnly, f.Day); err != nil {
			errs = append(errs, fieldError{"day", "Enter the batch day as YYYY-MM-DD, for example 2026-03-03."})
			f.Day = ""
		}
	}
	p.Filtered = f != submissionFilter{}
	before, after := cursor(q, "before"), cursor(q, "after")
	subs, err := s.deps.Store.Submissions(r.Context(), store.SubmissionFilter{Day: f.Day, State: f.State,
		SenderPart: f.Sender, FilePart: f.File, Before: before, After: after, Limit: submissionsShown + 1})
	if err != nil {
		return err
	}
	n := len(subs)
	p.Subs = trimPage(subs, submissionsShown, after)
	if len(p.Subs) > 0 {
		p.Nav = keyset("/submissions", q, n, submissionsShown, p.Subs[0].ID, p.Subs[len(p.Subs)-1].ID, before, after)
	}
	p.Nav.Label, p.Nav.NewerText, p.Nav.OlderText = "Pages of submissions", "newer submissions", "older submissions"
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "submissions", view{Title: "Submissions", Nav: "submissions", Page: p, Errors: errs})
}

// DayError is the batch day field's error.
func (p submissionsPage) DayError(v view) string {
	for _, e := range v.Errors {
		if e.Field == "day" {
			return e.Text
		}
	}
	return ""
}
