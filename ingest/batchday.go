package ingest

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

// BatchDay is the night a message belongs to: the local date (in loc) of
// its receipt time, or the next date when it arrived at or after the
// cutoff. received is the server's receipt time (IMAP INTERNALDATE), never
// the sender's Date header. The result is YYYY-MM-DD.
func BatchDay(received time.Time, loc *time.Location, cutoff Cutoff) string {
	local := received.In(loc)
	y, m, d := local.Date()
	if local.Hour()*60+local.Minute() >= int(cutoff) {
		d++ // time.Date normalises the 32nd to the 1st of the next month
	}
	return time.Date(y, m, d, 12, 0, 0, 0, loc).Format(time.DateOnly)
}
