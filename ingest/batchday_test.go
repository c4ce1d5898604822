package ingest

import (
	"testing"
	"time"
)

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
		name     string
		received time.Time
		want     string
	}{
		{"winter GMT just before", utc("2026-01-15T19:59:59Z"), "2026-01-15"},
		{"winter GMT at cutoff", utc("2026-01-15T20:00:00Z"), "2026-01-16"},
		{"summer BST just before", utc("2026-07-15T18:59:59Z"), "2026-07-15"}, // 19:59:59 BST
		{"summer BST at cutoff", utc("2026-07-15T19:00:00Z"), "2026-07-16"},   // 20:00:00 BST
		{"clocks go forward, before", utc("2026-03-29T18:59:59Z"), "2026-03-29"},
		{"clocks go forward, at cutoff", utc("2026-03-29T19:00:00Z"), "2026-03-30"},
		{"clocks go forward, early morning", utc("2026-03-29T00:30:00Z"), "2026-03-29"},
		{"clocks go back, before", utc("2026-10-25T19:59:59Z"), "2026-10-25"},
		{"clocks go back, at cutoff", utc("2026-10-25T20:00:00Z"), "2026-10-26"},
		{"clocks go back, repeated hour", utc("2026-10-25T00:30:00Z"), "2026-10-25"},       // 01:30 BST
		{"clocks go back, repeated hour again", utc("2026-10-25T01:30:00Z"), "2026-10-25"}, // 01:30 GMT
		{"after cutoff on the last day of the month", utc("2026-12-31T21:00:00Z"), "2027-01-01"},
		{"a sender's offset does not matter", utc("2026-01-15T19:30:00-05:00"), "2026-01-16"}, // 00:30 GMT on the 16th
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := BatchDay(tc.received, london, cutoff); got != tc.want {
				t.Errorf("BatchDay(%s): got %s, want %s", tc.received.Format(time.RFC3339), got, tc.want)
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
