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
