package scheduler

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"connectord/internal/storetest"
	"connectord/store"
)

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func TestMissedDays(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	var now time.Time
	s := &Schedule{Spec: "30 20 * * *", Location: london, Cutoff: 20 * 60, Store: st, MaxCatchUp: 31,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
	at := func(v string) time.Time {
		t2, err := time.ParseInLocation("2006-01-02 15:04", v, london)
		if err != nil {
			t.Fatal(err)
		}
		return t2
	}
	now = at("2026-03-10 09:00")
	if days, err := s.MissedDays(ctx); err != nil || len(days) != 0 {
		t.Fatalf("no run ever: got %v, %v; want nothing to catch up", days, err)
	}
	done := func(day string) {
		id, err := st.StartRun(ctx, day, "schedule", store.SyncDone, "test:1", func(string) bool { return false }, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.FinishRun(ctx, store.BatchRun{ID: id, BatchDay: day, State: store.RunDone, Sync: store.SyncDone}, now); err != nil {
			t.Fatal(err)
		}
	}
	done("2026-03-06")
	tests := []struct {
		now  string
		want string
	}{
		{"2026-03-10 09:00", "2026-03-07 2026-03-08 2026-03-09"}, // down since the 7th; tonight's has not come
		{"2026-03-10 20:31", "2026-03-07 2026-03-08 2026-03-09 2026-03-10"},
		{"2026-03-07 20:29", ""}, // the 7th's run is not due yet
		{"2026-03-29 21:00", "2026-03-07 2026-03-08 2026-03-09 2026-03-10 2026-03-11 2026-03-12 2026-03-13 2026-03-14 2026-03-15 2026-03-16 2026-03-17 2026-03-18 2026-03-19 2026-03-20 2026-03-21 2026-03-22 2026-03-23 2026-03-24 2026-03-25 2026-03-26 2026-03-27 2026-03-28 2026-03-29"},
	}
	for _, tc := range tests {
		now = at(tc.now)
		days, err := s.MissedDays(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(days, " "); got != tc.want {
			t.Errorf("at %s: got %q, want %q", tc.now, got, tc.want)
		}
	}
	s.MaxCatchUp = 2
	now = at("2026-03-10 20:31")
	if days, _ := s.MissedDays(ctx); strings.Join(days, " ") != "2026-03-09 2026-03-10" {
		t.Errorf("capped catch-up: got %v, want the last two days", days)
	}
}

func TestBatchLock(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	now := time.Now()
	alive := map[string]bool{"host:1": true}
	isAlive := func(h string) bool { return alive[h] }
	first, err := st.StartRun(ctx, "2026-03-10", "schedule", store.SyncDone, "host:1", isAlive, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartRun(ctx, "2026-03-10", "command", store.SyncDone, "host:2", isAlive, now); err == nil || !strings.Contains(err.Error(), "already in progress") {
		t.Fatalf("second run while the first holds the lock: got %v", err)
	}
	alive["host:1"] = false // the first process died
	if _, err := st.StartRun(ctx, "2026-03-10", "command", store.SyncDone, "host:2", isAlive, now); err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	runs, _ := st.Runs(ctx, "2026-03-10", 0)
	for _, r := range runs {
		if r.ID == first && (r.State != store.RunFailed || !strings.Contains(r.Errors, "interrupted")) {
			t.Errorf("the dead holder's run: %s %q, want failed as interrupted", r.State, r.Errors)
		}
	}
}
