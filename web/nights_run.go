package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"connectord/batchday"
	"connectord/store"
)

// runDayError checks a batch day asked for "run now": "" when it can run.
func (s *Server) runDayError(day string, now time.Time) string {
	d, err := time.ParseInLocation(time.DateOnly, day, s.deps.Location)
	switch {
	case err != nil:
		return "Enter the batch day as YYYY-MM-DD, for example 2026-03-03."
	case d.After(now.In(s.deps.Location)):
		return "The batch day cannot be in the future."
	}
	return ""
}

// runNightConfirm asks before running batch day D now (operators), saying
// which files the run would take and, before the day's cutoff, that files
// can still arrive for it.
func (s *Server) runNightConfirm(w http.ResponseWriter, r *http.Request, _ *session) error {
	day := strings.TrimSpace(r.URL.Query().Get("day"))
	now := s.now()
	if msg := s.runDayError(day, now); msg != "" {
		return s.refused(w, r, "/nights", map[string]string{"day": day}, fieldError{"run-day", msg})
	}
	var due []store.Submission
	if err := s.deps.Store.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		due, err = tx.Due(day)
		return err
	}); err != nil {
		return err
	}
	p := confirmPage{Caption: "Nights", Question: "Run the batch for " + day + " now?",
		Action: "/nights/run", Hidden: map[string]string{"day": day},
		Button: "Run the batch for " + day + " now", Cancel: "/nights", CancelText: "Cancel: do not run it"}
	switch len(due) {
	case 0:
		p.Says = append(p.Says, "No approved file of "+day+" or earlier is waiting: the run would process nothing, and nobody would get an email.")
	default:
		p.Says = append(p.Says, fmt.Sprintf("The run applies %d %s to the directory, as tonight's run would: every approved file of %s and earlier that is still waiting. "+
			"This cannot be undone. Each sender gets a results email as soon as the run ends.", len(due), plural(len(due), "file", "files"), day))
		for i, sub := range due {
			if i == 20 {
				p.More = len(due) - i
				break
			}
			p.Items = append(p.Items, fmt.Sprintf("%s from %s (%s, %d %s)", sub.Filename, sub.Sender, sub.BatchDay, sub.FileRows, plural(sub.FileRows, "row", "rows")))
		}
	}
	p.Says = append(p.Says, "Files waiting for review are not processed until a reviewer approves them.")
	if batchday.Open(day, now, s.deps.Location, s.deps.Cutoff) {
		p.Warning = "Files can still arrive for " + day
		p.Says = append([]string{fmt.Sprintf("Files received before %s (%s) still go into the batch for %s. "+
			"Running it now processes the files received so far. A file that arrives later today is processed "+
			"by tonight's run, and its sender then gets a second results email.", s.deps.Cutoff, s.deps.Location, day)}, p.Says...)
		p.Destructive = true
	}
	return s.confirm(w, r, "nights", p)
}

// runNight starts batch day D now (operators), once confirmed: every
// accepted file of D and earlier not yet processed, as the schedule would.
func (s *Server) runNight(w http.ResponseWriter, r *http.Request, sess *session) error {
	day := strings.TrimSpace(r.PostForm.Get("day"))
	now := s.now()
	if msg := s.runDayError(day, now); msg != "" {
		return s.refused(w, r, "/nights", map[string]string{"day": day}, fieldError{"run-day", msg})
	}
	if r.PostForm.Get("confirm") != "yes" {
		return redirect(w, r, "/nights/run?"+url.Values{"day": {day}}.Encode())
	}
	open := batchday.Open(day, now, s.deps.Location, s.deps.Cutoff)
	err := s.runs.start(day, sess.User.Name, now)
	if errors.Is(err, errRunBusy) {
		s.setFlash(r, failed("Nothing was started: "+err.Error()+"."))
		return redirect(w, r, "/nights")
	}
	if err != nil {
		return err
	}
	detail := "run the batch of " + day + " and earlier days now (confirmed)"
	if open {
		detail = "run the batch of " + day + " and earlier days now, before the cutoff of " + day + " (confirmed)"
	}
	s.audit(r, store.ConsoleAudit{At: now, Actor: sess.User.Name, Action: store.AuditRunNow, Subject: day, Detail: detail})
	s.setFlash(r, done("The batch for "+day+" has started. This page refreshes until it is done."))
	return redirect(w, r, "/nights")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
