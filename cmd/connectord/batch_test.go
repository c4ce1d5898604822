package main

import (
	"strings"
	"testing"
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
