package web

import (
	"net/http"

	"connectord/batchday"
	"connectord/store"
)

// nightRow is one batch run as the nights page lists it.
type nightRow struct {
	store.BatchRun
	Counts []statusCount
}

type nightsPage struct {
	Runs     []nightRow
	Day      string // the default for "run day D now"
	DayError string
	Running  string // a night started from the console, still running
	Last     runOutcome
	Audit    []store.ConsoleAudit
}

// nightsShown bounds the list of runs.
const nightsShown = 60

// nights lists the batch runs, newest first; operators can run a day now.
func (s *Server) nights(w http.ResponseWriter, r *http.Request, _ *session) error {
	return s.showNights(w, r, http.StatusOK, nightsPage{})
}

func (s *Server) showNights(w http.ResponseWriter, r *http.Request, status int, p nightsPage) error {
	ctx := r.Context()
	runs, err := s.deps.Store.Runs(ctx, "", nightsShown)
	if err != nil {
		return err
	}
	for _, run := range runs {
		p.Runs = append(p.Runs, nightRow{BatchRun: run, Counts: parseCounts(run.Counts)})
	}
	if p.Day == "" {
		p.Day = batchday.Closed(s.now(), s.deps.Location, s.deps.Cutoff)
	}
	p.Running, p.Last = s.runs.status()
	if p.Audit, err = s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{Actions: []string{store.AuditRunNow}, Limit: 20}); err != nil {
		return err
	}
	v := view{Title: "Nights", Nav: "nights", Page: p}
	if p.Running != "" || anyRunning(runs) {
		v.Refresh = 5
	}
	return s.render(w, r, status, "nights", v)
}

func anyRunning(runs []store.BatchRun) bool {
	for _, r := range runs {
		if r.State == store.RunRunning {
			return true
		}
	}
	return false
}
