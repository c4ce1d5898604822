package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectord/internal/imaptest"
	"connectord/store"
)

// run runs a command against the setup's configuration and database.
func (m *mailboxSetup) run(args ...string) (string, string, int) {
	m.t.Helper()
	c := &cli{t: m.t, db: filepath.Join(m.dir, "var", "connectord.db")}
	return c.run(append([]string{"-config", m.config}, args...)...)
}

// pollIDs takes the mailbox and returns every submission ID by file name.
func (m *mailboxSetup) pollIDs() map[string]int64 {
	m.t.Helper()
	m.must("poll", "-once")
	st := m.store()
	defer st.Close()
	subs, err := st.Submissions(context.Background(), store.SubmissionFilter{})
	if err != nil {
		m.t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, s := range subs {
		ids[s.Filename] = s.ID
	}
	return ids
}

// review approve refuses a file whose sender left the roster, and a file
// a later one replaced, each with the reason, and changes nothing.
func TestReviewApproveRefusals(t *testing.T) {
	m := newMailboxSetup(t, 50)
	noon := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	m.srv.Append(t, imaptest.Submission("new.admin@nhs.net", "morning.csv", goodFile), noon)
	m.srv.Append(t, imaptest.Submission("new.admin@nhs.net", "evening.csv", goodFile), noon.Add(time.Hour))
	ids := m.pollIDs()
	first, second := strconv.FormatInt(ids["morning.csv"], 10), strconv.FormatInt(ids["evening.csv"], 10)

	_, stderr, code := m.run("review", "approve", first)
	if want := `was replaced by a later file from new.admin@nhs.net for the same batch day 2026-03-03, submission ` + second + ` ("evening.csv")`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("approve the replaced file: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}

	m.must("senders", "remove", "new.admin@nhs.net")
	_, stderr, code = m.run("review", "approve", second)
	if want := `new.admin@nhs.net is no longer on the Connector roster, so tonight's run would reject "evening.csv": nothing was approved`; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("approve for a sender off the roster: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	st := m.store()
	defer st.Close()
	if s, err := st.Submission(context.Background(), ids["evening.csv"]); err != nil || s.State != store.StateHeld {
		t.Errorf("evening.csv after the refusal: %+v, %v; want held", s.State, err)
	}
	if trusted, err := isTrusted(st, "new.admin@nhs.net"); err != nil || trusted {
		t.Errorf("new.admin@nhs.net trusted %v (%v) after the refusal, want not trusted", trusted, err)
	}
}

func isTrusted(st *store.Store, addr string) (bool, error) {
	var trusted bool
	err := st.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		trusted, err = tx.IsTrusted(addr)
		return err
	})
	return trusted, err
}
