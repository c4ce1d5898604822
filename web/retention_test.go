package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/store"
)

// A night removes the received message and the results file of a
// submission settled more than Keep ago, once its mail has gone, and keeps
// the record; a held file, and one whose mail still waits, keep theirs.
func TestNightRemovesFilesPastRetention(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.batch.Keep = 30 * 24 * time.Hour
	done := f.held(t, "alice.smith@nhs.net", "leeds.csv", pushCSV)
	if _, err := f.srv.deps.Review.Approve(ctx, done, "test", f.now()); err != nil {
		t.Fatal(err)
	}
	if run, err := f.batch.Run(ctx, f.day, "command", f.now()); err != nil || run.Files != 1 {
		t.Fatalf("night: %+v, %v", run, err)
	}
	held := f.held(t, "bob.jones@nhs.net", "densham.csv", pushCSV)
	results := f.mail(t, done, store.MailResults)
	if len(results) != 1 {
		t.Fatalf("results mails: %d, want 1", len(results))
	}
	resultsFile := filepath.Join(f.batch.DataDir, results[0].AttachmentPath)
	segment := func(id int64) string {
		return filepath.Join(f.batch.Spool.Dir(), f.submission(t, id).Spool.Segment)
	}
	exists := func(path string) bool { _, err := os.Stat(path); return err == nil }
	for _, p := range []string{resultsFile, segment(done), segment(held)} {
		if !exists(p) {
			t.Fatalf("%s missing before any retention", filepath.Base(p))
		}
	}

	// 31 days on, but the results mail has not gone: nothing is removed.
	f.setNow(f.now().Add(31 * 24 * time.Hour))
	later := func() {
		t.Helper()
		if run, err := f.batch.Run(ctx, f.day, "command", f.now()); err != nil || run.Errors != "" {
			t.Fatalf("night: %+v, %v", run, err)
		}
	}
	later()
	if !exists(resultsFile) || !exists(segment(done)) || !f.submission(t, done).PurgedAt.IsZero() {
		t.Fatal("files removed while the results mail was still waiting to go")
	}

	// Once every mail about it has gone, the next night removes its files.
	due, err := f.st.DueMail(ctx, f.now(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range due {
		if m.SubmissionID == done {
			if err := f.st.MarkSent(ctx, m.ID, f.now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	// As if a night had been killed after removing the results file and
	// before the rest: the next one finishes the job without an error.
	if err := os.Remove(resultsFile); err != nil {
		t.Fatal(err)
	}
	later()
	if exists(resultsFile) || exists(segment(done)) {
		t.Error("results file or spool segment still there after retention")
	}
	sub := f.submission(t, done)
	if sub.PurgedAt.IsZero() || sub.State != store.StateProcessed || sub.Counts == "" {
		t.Errorf("submission after retention: %+v; want processed, counts kept, marked purged", sub)
	}
	if !exists(segment(held)) || !f.submission(t, held).PurgedAt.IsZero() {
		t.Error("a held submission's message was removed")
	}
	_, body := f.login(t, reviewerName).get(fmt.Sprintf("/submissions/%d", done))
	if !strings.Contains(body, "were removed on") || !strings.Contains(body, "PROCESSED_NEW") {
		t.Errorf("submission page after retention lacks the counts or the removal note:\n%s", body)
	}
	later() // a second pass finds nothing more to do, and no error
}
