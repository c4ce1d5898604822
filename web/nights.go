package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"connectord/batchday"
	"connectord/provision"
	"connectord/store"
)

// nightRow is one batch run as the nights pages list it.
type nightRow struct {
	store.BatchRun
	Counts []statusCount
	// NotApplied counts the rows that were INVALID or ACCESS_DENIED: a
	// run with some is not shown as a plain "done".
	NotApplied int
}

func newNightRow(run store.BatchRun) nightRow {
	row := nightRow{BatchRun: run, Counts: parseCounts(run.Counts)}
	for _, c := range row.Counts {
		if c.Status == string(provision.Invalid) || c.Status == string(provision.Denied) {
			row.NotApplied += c.N
		}
	}
	return row
}

// schedule is when the nights run.
type schedule struct {
	Spec, Words  string
	Cutoff, Zone string
	Next         time.Time
	NextDay      string // the batch day the next run processes
	Problem      string // the schedule cannot be read
}

type nightsPage struct {
	Schedule schedule
	Chart    nightsChart
	Runs     []nightRow
	Day      string // the default for "run day D now"
	DayError string
	Running  string // a night started from the console, still running
	Last     runOutcome
	Audit    []store.ConsoleAudit
}

// nightsShown bounds the list of runs.
const nightsShown = 60

// nights lists the batch runs, newest first, with the schedule and a chart
// of the last 30 nights; operators can run a day now.
func (s *Server) nights(w http.ResponseWriter, r *http.Request, _ *session) error {
	ctx := r.Context()
	now := s.now()
	p := nightsPage{Schedule: s.schedule(now)}
	runs, err := s.deps.Store.Runs(ctx, "", nightsShown)
	if err != nil {
		return err
	}
	for _, run := range runs {
		p.Runs = append(p.Runs, newNightRow(run))
	}
	today := batchday.Closed(now, s.deps.Location, s.deps.Cutoff)
	if p.Chart, err = s.nightsChart(ctx, today); err != nil {
		return err
	}
	p.Day = today
	if f := refusedForm(r); f != nil {
		p.Day, p.DayError = f.value("day"), f.errorFor("run-day")
	}
	p.Running, p.Last = s.runs.status()
	if p.Audit, err = s.deps.Store.ConsoleAuditLog(ctx, store.ConsoleAuditFilter{Actions: []string{store.AuditRunNow}, Limit: 20}); err != nil {
		return err
	}
	v := view{Title: "Nights", Nav: "nights", Page: p}
	if p.Running != "" || anyRunning(runs) {
		v.Refresh = 5
	}
	return s.render(w, r, http.StatusOK, "nights", v)
}

// schedule says when the nights run: batch.schedule in words when it is
// a plain daily time, the cutoff, and the next run.
func (s *Server) schedule(now time.Time) schedule {
	sc := schedule{Spec: s.deps.Schedule, Cutoff: s.deps.Cutoff.String(), Zone: s.deps.Location.String()}
	if sc.Spec == "" {
		sc.Problem = "No schedule is configured here: nights run only when started (connectord batch run, or Run now)."
		return sc
	}
	sched, err := cron.ParseStandard(sc.Spec)
	if err != nil {
		sc.Problem = fmt.Sprintf("The schedule %q cannot be read: %v.", sc.Spec, err)
		return sc
	}
	sc.Next = sched.Next(now.In(s.deps.Location))
	sc.NextDay = batchday.Closed(sc.Next, s.deps.Location, s.deps.Cutoff)
	sc.Words = scheduleWords(sc.Spec)
	return sc
}

// scheduleWords says "Every day at 20:30" for a daily cron spec, else "".
func scheduleWords(spec string) string {
	f := strings.Fields(spec)
	if len(f) != 5 || f[2] != "*" || f[3] != "*" {
		return ""
	}
	m, err1 := strconv.Atoi(f[0])
	h, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || m < 0 || m > 59 || h < 0 || h > 23 {
		return ""
	}
	at := fmt.Sprintf("%02d:%02d", h, m)
	switch f[4] {
	case "*":
		return "Every day at " + at
	case "1-5", "MON-FRI":
		return "Monday to Friday at " + at
	}
	return ""
}

func anyRunning(runs []store.BatchRun) bool {
	for _, r := range runs {
		if r.State == store.RunRunning {
			return true
		}
	}
	return false
}
