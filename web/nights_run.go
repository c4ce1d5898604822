package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"connectord/batchday"
	"connectord/store"
)

// runNight starts batch day D now (operators): every accepted file of D
// and earlier not yet processed, as the schedule would. A day whose
// cutoff has not passed yet is only run once the operator confirms it.
func (s *Server) runNight(w http.ResponseWriter, r *http.Request, sess *session) error {
	day := strings.TrimSpace(r.PostForm.Get("day"))
	now := s.now()
	d, err := time.ParseInLocation(time.DateOnly, day, s.deps.Location)
	switch {
	case err != nil:
		return s.showNights(w, r, http.StatusUnprocessableEntity, nightsPage{Day: day,
			DayError: "Enter the batch day as YYYY-MM-DD, for example 2026-03-03."})
	case d.After(now.In(s.deps.Location)):
		return s.showNights(w, r, http.StatusUnprocessableEntity, nightsPage{Day: day,
			DayError: "The batch day cannot be in the future."})
	}
	open := batchday.Open(day, now, s.deps.Location, s.deps.Cutoff)
	if open && r.PostForm.Get("confirm") != "yes" {
		return s.render(w, r, http.StatusOK, "nights_confirm", view{Title: "Run the batch for " + day + " before its cutoff?",
			Nav: "nights", Page: confirmRunPage{Day: day, Cutoff: s.deps.Cutoff.String(), Zone: s.deps.Location.String()}})
	}
	err = s.runs.start(day, sess.User.Name, now)
	if errors.Is(err, errRunBusy) {
		s.setFlash(r, failed("Nothing was started: "+err.Error()+"."))
		return redirect(w, r, "/nights")
	}
	if err != nil {
		return err
	}
	detail := "run the batch of " + day + " and earlier days now"
	if open {
		detail += ", before the cutoff of " + day + " (confirmed)"
	}
	s.audit(r, store.ConsoleAudit{At: now, Actor: sess.User.Name, Action: store.AuditRunNow, Subject: day, Detail: detail})
	s.setFlash(r, done("The batch for "+day+" has started. This page refreshes until it is done."))
	return redirect(w, r, "/nights")
}

// confirmRunPage asks before running a batch day that still takes files.
type confirmRunPage struct {
	Day, Cutoff, Zone string
}
