package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"connectord/store"
)

// submissionFilter is the submissions page's form.
type submissionFilter struct {
	Day, State, Sender string
	DayError           string
}

type submissionsPage struct {
	Filter  submissionFilter
	States  []string
	Subs    []store.Submission
	Limited bool
}

// submissionsShown bounds the list.
const submissionsShown = 200

// submissionList lists submissions, newest first, filtered by batch day,
// state and sender.
func (s *Server) submissionList(w http.ResponseWriter, r *http.Request, _ *session) error {
	q := r.URL.Query()
	f := submissionFilter{Day: strings.TrimSpace(q.Get("day")), State: q.Get("state"),
		Sender: strings.ToLower(strings.TrimSpace(q.Get("sender")))}
	p := submissionsPage{Filter: f, States: store.States()}
	if f.State != "" && !slices.Contains(p.States, f.State) {
		f.State = ""
	}
	status := http.StatusOK
	if f.Day != "" {
		if _, err := time.Parse(time.DateOnly, f.Day); err != nil {
			p.Filter.DayError = "Enter the batch day as YYYY-MM-DD, for example 2026-03-03."
			f.Day = ""
			status = http.StatusUnprocessableEntity
		}
	}
	subs, err := s.deps.Store.Submissions(r.Context(), store.SubmissionFilter{Day: f.Day, State: f.State, Sender: f.Sender,
		Limit: submissionsShown + 1})
	if err != nil {
		return err
	}
	if len(subs) > submissionsShown {
		subs, p.Limited = subs[:submissionsShown], true
	}
	p.Subs = subs
	return s.render(w, r, status, "submissions", view{Title: "Submissions", Nav: "submissions", Page: p})
}
