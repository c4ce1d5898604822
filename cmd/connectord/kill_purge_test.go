package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectord/internal/imaptest"
	"connectord/store"
)

// A night killed while removing files past retention (after one segment's
// files are gone, before that is recorded) and run again ends with every
// old file removed and every submission marked so, with no error.
func TestKillDuringPurge(t *testing.T) {
	m := newMailboxSetup(t, 50)
	first := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	const runDay = "2026-03-10"
	for i := range 3 { // one poll each: three spool segments
		csv := fmt.Sprintf("FirstName,LastName,Local ID,Organisation\r\nAnn,Other%d,N%d,RR8\r\n", i, i)
		m.srv.Append(t, imaptest.Submission("admin.leeds@nhs.net", fmt.Sprintf("f%d.csv", i), csv), first.AddDate(0, 0, i))
		m.must("poll", "-once")
	}
	m.must("batch", "run", "-no-sync", "-day", runDay)

	// Every mail went, and all this happened 40 days ago.
	st := m.store()
	ctx := context.Background()
	due, err := st.DueMail(ctx, time.Now().AddDate(1, 0, 0), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range due {
		if err := st.MarkSent(ctx, o.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	dbPath := filepath.Join(m.dir, "var", "connectord.db")
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().AddDate(0, 0, -40).UTC().Format("2006-01-02T15:04:05.000Z")
	if _, err := db.Exec(`UPDATE submissions SET decided_at = ?, processed_at = ?`, old, old); err != nil {
		t.Fatal(err)
	}
	db.Close()

	spool, results := filepath.Join(m.dir, "var", "spool"), filepath.Join(m.dir, "var", "results")
	count := func(dir, pattern string) int {
		f, _ := filepath.Glob(filepath.Join(dir, pattern))
		return len(f)
	}
	if s, r := count(spool, "*.spool"), count(results, "*.csv"); s != 3 || r != 3 {
		t.Fatalf("before: %d segments, %d results files; want 3 and 3", s, r)
	}
	purged := func() int {
		st := m.store()
		defer st.Close()
		subs, err := st.Submissions(ctx, store.SubmissionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range subs {
			if !s.PurgedAt.IsZero() {
				n++
			}
		}
		return n
	}

	if err := m.batchCmd(runDay, "after-purge").Run(); !killedBySIGKILL(err) {
		t.Fatalf("got %v, want death by SIGKILL", err)
	}
	if s, n := count(spool, "*.spool"), purged(); s != 2 || n != 0 {
		t.Fatalf("after the kill: %d segments, %d marked purged; want 2 (one removed) and 0", s, n)
	}
	m.must("batch", "run", "-no-sync", "-day", runDay)
	if s, r, n := count(spool, "*.spool"), count(results, "*.csv"), purged(); s != 0 || r != 0 || n != 3 {
		t.Errorf("after the restart: %d segments, %d results files, %d marked purged; want 0, 0 and 3", s, r, n)
	}
	st = m.store()
	defer st.Close()
	runs, err := st.Runs(ctx, runDay, 1)
	if err != nil || len(runs) != 1 || runs[0].Errors != "" || runs[0].State != store.RunDone {
		t.Errorf("the last run: %+v, %v; want done without errors", runs, err)
	}
	if _, err := os.Stat(spool); err != nil {
		t.Errorf("the spool directory itself went: %v", err)
	}
}
