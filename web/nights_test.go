package web

import (
	"context"
	"strings"
	"testing"

	"connectord/store"
)

// Nights tells a run that could not reach the mailbox from one told to
// skip it, and says nothing for one that read it.
func TestNightsSaysHowEachRunReadTheMailbox(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct{ day, sync string }{
		{"2026-03-01", store.SyncDone}, {"2026-03-02", store.SyncUnreachable}, {"2026-03-03", store.SyncSkipped},
	} {
		id, err := f.st.StartRun(ctx, tc.day, "command", tc.sync, "test:1", func(string) bool { return false }, f.now())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.FinishRun(ctx, store.BatchRun{ID: id, BatchDay: tc.day, State: store.RunDone, Sync: tc.sync}, f.now()); err != nil {
			t.Fatal(err)
		}
	}
	_, body := f.login(t, reviewerName).get("/nights")
	rows := map[string]string{}
	for _, row := range strings.Split(body, "<tr")[1:] {
		for _, day := range []string{"2026-03-01", "2026-03-02", "2026-03-03"} {
			if strings.Contains(row, ">"+day+"<") {
				rows[day] = row
			}
		}
	}
	for day, want := range map[string]string{
		"2026-03-02": "mailbox not read first: it could not be reached",
		"2026-03-03": "mailbox not read first: skipped on purpose (batch run -no-sync)",
	} {
		if !strings.Contains(rows[day], want) {
			t.Errorf("the run for %s does not say %q:\n%s", day, want, rows[day])
		}
	}
	if strings.Contains(rows["2026-03-01"], "not read first") {
		t.Errorf("the synced run says it was not:\n%s", rows["2026-03-01"])
	}
}
