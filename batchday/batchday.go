// Package batchday holds the one rule of the batch day: a file sent
// before the cutoff (20:00 by default, "sent … before 20:00") in the batch
// time zone belongs to that day's run, and one sent at or after it to
// the next day's. The day of a message is a pure function of its receipt
// time (IMAP INTERNALDATE, never the sender's Date header), the time zone
// and the cutoff; so is the day a run at a given time processes.
package batchday

import (
	"fmt"
	"time"
)

// Cutoff is the time of day after which a file belongs to the next day's
// batch ("sent … before 20:00"), as minutes after midnight.
type Cutoff int

// ParseCutoff reads "HH:MM".
func ParseCutoff(s string) (Cutoff, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("cutoff %q: want a time of day such as 20:00", s)
	}
	return Cutoff(t.Hour()*60 + t.Minute()), nil
}

func (c Cutoff) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Of is the batch day a message belongs to: the local date (in loc) of its
// receipt time, or the next date when it arrived at or after the cutoff.
// received is the server's receipt time (IMAP INTERNALDATE), never the
// sender's Date header. The result is YYYY-MM-DD.
func Of(received time.Time, loc *time.Location, cutoff Cutoff) string {
	return day(received, loc, cutoff, 0)
}

// Closed is the latest batch day whose cutoff has passed at t, the day a
// run at t processes: the local date when t is at or after the
// cutoff (the day's files are all in), else the day before. It is always
// the day before Of(t).
func Closed(t time.Time, loc *time.Location, cutoff Cutoff) string {
	return day(t, loc, cutoff, -1)
}

// Open reports whether batch day day still takes files at now: its
// cutoff has not passed yet (today before the cutoff, or a later day). A
// run of an open day processes the files received so far; a file that
// reaches the day later is processed by the next run, and its sender gets
// a second results email.
func Open(day string, now time.Time, loc *time.Location, cutoff Cutoff) bool {
	return day > Closed(now, loc, cutoff)
}

// day is the rule itself: the local date of t, one day on at or after the
// cutoff, then shift days on.
func day(t time.Time, loc *time.Location, cutoff Cutoff, shift int) string {
	local := t.In(loc)
	y, m, d := local.Date()
	if local.Hour()*60+local.Minute() >= int(cutoff) {
		d++ // time.Date normalises the 32nd to the 1st of the next month
	}
	return time.Date(y, m, d+shift, 12, 0, 0, 0, loc).Format(time.DateOnly)
}
