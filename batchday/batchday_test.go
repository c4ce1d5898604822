package batchday

import (
	"testing"
	"time"
)

// One table for the rule: the batch day of a message received at each
// instant (Of), the day a night run then processes (Closed), and which of
// them still takes files (Open).
func TestBatchDay(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	cutoff, err := ParseCutoff("20:00")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name   string
		at     time.Time
		day    string // Of: a message received at at
		closed string // Closed: what a run at at processes
	}{
		{"winter GMT just before", utc("2026-01-15T19:59:59Z"), "2026-01-15", "2026-01-14"},
		{"winter GMT at cutoff", utc("2026-01-15T20:00:00Z"), "2026-01-16", "2026-01-15"},
		{"summer BST just before", utc("2026-07-15T18:59:59Z"), "2026-07-15", "2026-07-14"}, // 19:59:59 BST
		{"summer BST at cutoff", utc("2026-07-15T19:00:00Z"), "2026-07-16", "2026-07-15"},   // 20:00:00 BST
		{"clocks go forward, before", utc("2026-03-29T18:59:59Z"), "2026-03-29", "2026-03-28"},
		{"clocks go forward, at cutoff", utc("2026-03-29T19:00:00Z"), "2026-03-30", "2026-03-29"},
		{"clocks go forward, early morning", utc("2026-03-29T00:30:00Z"), "2026-03-29", "2026-03-28"},
		{"clocks go back, before", utc("2026-10-25T19:59:59Z"), "2026-10-25", "2026-10-24"},
		{"clocks go back, at cutoff", utc("2026-10-25T20:00:00Z"), "2026-10-26", "2026-10-25"},
		{"clocks go back, repeated hour", utc("2026-10-25T00:30:00Z"), "2026-10-25", "2026-10-24"},       // 01:30 BST
		{"clocks go back, repeated hour again", utc("2026-10-25T01:30:00Z"), "2026-10-25", "2026-10-24"}, // 01:30 GMT
		{"after cutoff on the last day of the month", utc("2026-12-31T21:00:00Z"), "2027-01-01", "2026-12-31"},
		{"a sender's offset does not matter", utc("2026-01-15T19:30:00-05:00"), "2026-01-16", "2026-01-15"}, // 00:30 GMT on the 16th
		// The runs a schedule makes.
		{"the scheduled run, GMT", utc("2026-01-15T20:30:00Z"), "2026-01-16", "2026-01-15"},
		{"the scheduled run, BST", utc("2026-07-15T19:30:00Z"), "2026-07-16", "2026-07-15"}, // 20:30 BST
		{"a run before the cutoff: today's files are not all in", utc("2026-07-15T18:59:00Z"), "2026-07-15", "2026-07-14"},
		{"a run the day the clocks went forward", utc("2026-03-29T19:30:00Z"), "2026-03-30", "2026-03-29"},
		{"a run the day the clocks went back", utc("2026-10-25T20:30:00Z"), "2026-10-26", "2026-10-25"},
		{"a run after midnight takes the day before", utc("2026-01-01T02:00:00Z"), "2026-01-01", "2025-12-31"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.at.Format(time.RFC3339)
			if got := Of(tc.at, london, cutoff); got != tc.day {
				t.Errorf("Of(%s): got %s, want %s", at, got, tc.day)
			}
			if got := Closed(tc.at, london, cutoff); got != tc.closed {
				t.Errorf("Closed(%s): got %s, want %s", at, got, tc.closed)
			}
			if !Open(tc.day, tc.at, london, cutoff) {
				t.Errorf("Open(%s, %s): got false, want true (a file arriving then still counts for it)", tc.day, at)
			}
			if Open(tc.closed, tc.at, london, cutoff) {
				t.Errorf("Open(%s, %s): got true, want false (its cutoff has passed)", tc.closed, at)
			}
		})
	}
}

func TestParseCutoff(t *testing.T) {
	for in, want := range map[string]Cutoff{"20:00": 1200, "00:00": 0, "23:59": 1439} {
		got, err := ParseCutoff(in)
		if err != nil || got != want {
			t.Errorf("ParseCutoff(%q): got %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"8pm", "24:00", "", "20"} {
		if _, err := ParseCutoff(bad); err == nil {
			t.Errorf("ParseCutoff(%q): got no error", bad)
		}
	}
}
