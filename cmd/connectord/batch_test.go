package main

import (
	"strings"
	"testing"
	"time"

	"connectord/batchday"
)

// batch run -no-sync is recorded as a run that skipped the mailbox on
// purpose, and every listing says so.
func TestBatchRunNoSyncIsRecordedSkipped(t *testing.T) {
	m := newMailboxSetup(t, 50)
	_, stderr, code := m.run("batch", "run", "-no-sync", "-day", "2026-03-10")
	if code != 0 || !strings.Contains(stderr, "mailbox not read first (skipped on purpose: -no-sync)") {
		t.Fatalf("batch run -no-sync: exit %d, stderr %q; want 0 and the skipped sync", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"batch", "list"}, "skipped"},
		{[]string{"batch", "list", "-json"}, `"synced":false,"sync":"skipped"`},
		{[]string{"batch", "show", "2026-03-10"}, "mailbox not read first (skipped on purpose: -no-sync)"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if out := m.must(tc.args...); !strings.Contains(out, tc.want) {
				t.Errorf("got:\n%s\nwant it to contain %q", out, tc.want)
			}
		})
	}
}

// batch run -day for a day whose cutoff has not passed (the day a file
// sent now goes to) is refused unless -force; the default day runs.
func TestBatchRunOpenDayNeedsForce(t *testing.T) {
	m := newMailboxSetup(t, 50)
	open := batchday.Of(time.Now(), london(t), 20*60)
	_, stderr, code := m.run("batch", "run", "-no-sync", "-day", open)
	if want := "refused: the batch day " + open + " is still open (its cutoff is 20:00 Europe/London)"; code != 1 || !strings.Contains(stderr, want) ||
		!strings.Contains(stderr, "second results email") || !strings.Contains(stderr, "-force") {
		t.Errorf("open day: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if runs := m.must("batch", "list"); strings.Contains(runs, open) {
		t.Errorf("a refused run was recorded:\n%s", runs)
	}
	if _, stderr, code := m.run("batch", "run", "-no-sync", "-day", open, "-force"); code != 0 || !strings.Contains(stderr, "batch "+open+": done") {
		t.Errorf("open day with -force: exit %d, stderr %q; want it run", code, stderr)
	}
	if _, stderr, code := m.run("batch", "run", "-no-sync"); code != 0 {
		t.Errorf("the default day: exit %d, stderr %q; want it run", code, stderr)
	}
}

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
