package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/internal/storetest"
	"connectord/provision"
	"connectord/pushfile"
	"connectord/store"
)

// A night whose mailbox cannot be read retries for sync_timeout, then runs
// anyway and says so on the run.
func TestNightRunsUnsynced(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := storetest.Open(t, store.MessageIDDomain("nhs.net"))
	sp := storetest.Spool(t, st, filepath.Join(dir, "spool"))
	attempts := 0
	n := &Batch{
		Store: st, Spool: sp, Processor: &provision.Processor{Domain: "nhs.net"}, DataDir: dir,
		ReadOptions: func(context.Context) (pushfile.Options, error) { return pushfile.Options{}, nil },
		Sync:        func(context.Context) error { attempts++; return errors.New("connection refused") },
		SyncTimeout: 1500 * time.Millisecond, Holder: "test:1", Alive: func(string) bool { return false },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	run, err := n.Run(ctx, "2026-03-10", "command", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if run.Sync != store.SyncUnreachable || !strings.Contains(run.Errors, "could not be synced") || attempts < 2 {
		t.Errorf("run %+v after %d attempts; want it unsynced, saying so, after retrying", run, attempts)
	}
	runs, _ := st.Runs(ctx, "2026-03-10", 0)
	if len(runs) != 1 || runs[0].Sync != store.SyncUnreachable {
		t.Errorf("recorded runs %+v, want one marked unreachable", runs)
	}
}

// A night told not to read the mailbox (batch run -no-sync) is recorded
// as having skipped it, not as synced, and not as an error.
func TestNightWithoutSyncIsRecordedSkipped(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := storetest.Open(t, store.MessageIDDomain("nhs.net"))
	sp := storetest.Spool(t, st, filepath.Join(dir, "spool"))
	n := &Batch{
		Store: st, Spool: sp, Processor: &provision.Processor{Domain: "nhs.net"}, DataDir: dir,
		ReadOptions: func(context.Context) (pushfile.Options, error) { return pushfile.Options{}, nil },
		Holder:      "test:1", Alive: func(string) bool { return false },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	run, err := n.Run(ctx, "2026-03-10", "command", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	runs, _ := st.Runs(ctx, "2026-03-10", 0)
	if len(runs) != 1 || runs[0].Sync != store.SyncSkipped || runs[0].Synced() || run.Sync != store.SyncSkipped {
		t.Errorf("run %+v, recorded %+v; want one recorded as skipped", run, runs)
	}
	if run.State != store.RunDone || run.Errors != "" {
		t.Errorf("run %s with errors %q, want done without errors", run.State, run.Errors)
	}
}
