package scheduler

import (
	"time"

	"connectord/ingest"
)

// DayAt is the batch day a run at time t processes: the local date when
// t is at or after the cutoff (the day's files are all in), else the day
// before.
func DayAt(t time.Time, loc *time.Location, cutoff ingest.Cutoff) string {
	local := t.In(loc)
	y, m, d := local.Date()
	if local.Hour()*60+local.Minute() < int(cutoff) {
		d--
	}
	return time.Date(y, m, d, 12, 0, 0, 0, loc).Format(time.DateOnly)
}

// nextDay is the day after day (YYYY-MM-DD).
func nextDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

// DayOpen reports whether batch day day still takes files at now: its
// cutoff has not passed yet (today before the cutoff, or a later day). A
// run of an open day processes the files received so far; a file that
// reaches the day later is processed by the next run, and its sender gets
// a second results email.
func DayOpen(day string, now time.Time, loc *time.Location, cutoff ingest.Cutoff) bool {
	return day > DayAt(now, loc, cutoff)
}
