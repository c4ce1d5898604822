package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectord/internal/imaptest"
	"connectord/internal/synth"
	"connectord/store"
)

func synthOrgs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = synth.OrgCode(i)
	}
	return out
}

// nightSummary is what a night produced, without what differs between two
// correct runs (generated passwords, times, Message-IDs).
func (m *mailboxSetup) nightSummary() string {
	m.t.Helper()
	st := m.store()
	defer st.Close()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString(m.must("directory", "export"))
	subs, err := st.Submissions(ctx, store.SubmissionFilter{})
	if err != nil {
		m.t.Fatal(err)
	}
	for _, s := range subs {
		fmt.Fprintf(&b, "submission %s %s %s\n", s.Filename, s.State, s.Counts)
	}
	mail, err := st.Outbox(ctx, store.OutboxFilter{})
	if err != nil {
		m.t.Fatal(err)
	}
	var lines []string
	for _, o := range mail {
		line := fmt.Sprintf("mail %s to %s: %s", o.Kind, o.Recipient, o.Subject)
		if o.AttachmentPath != "" {
			data, err := os.ReadFile(filepath.Join(m.dir, "var", o.AttachmentPath))
			if err != nil {
				m.t.Fatal(err)
			}
			line += fmt.Sprintf(" [%d result rows, %d generated]", bytes.Count(data, []byte("\r\n"))-1, bytes.Count(data, []byte(",PROCESSED_NEW,")))
		}
		lines = append(lines, line)
	}
	sort.Strings(lines)
	b.WriteString(strings.Join(lines, "\n"))
	return b.String()
}

func (m *mailboxSetup) batchCmd(day, crash string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-config", m.config, "batch", "run", "-no-sync", "-day", day)
	cmd.Env = append(os.Environ(), "CONNECTORD_RUN_MAIN=1", "CONNECTORD_CRASH="+crash)
	return cmd
}

func killedBySIGKILL(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL
}

// A night killed between files, or in the middle of a large file, and run
// again, ends with the same directory, submissions and outbox as a night
// that was never interrupted: no file applied twice, no result lost.
func TestKillDuringNight(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 15,000-row file")
	}
	var big bytes.Buffer
	if err := (synth.Set{Rows: 15000, Orgs: 4, Create: 1, Seed: 9}).PushFile(&big); err != nil {
		t.Fatal(err)
	}
	small := func(i int) string {
		return fmt.Sprintf("FirstName,LastName,Local ID,Organisation\r\nAnn,Other%d,N%d,RR8\r\nBob,Jones%d,M%d,RR8\r\n", i, i, i, i)
	}
	// One message a day (so none supersedes another), all due by runDay;
	// the big file last.
	var msgs [][]byte
	for i := range 4 {
		msgs = append(msgs, imaptest.Submission("admin.leeds@nhs.net", fmt.Sprintf("f%d.csv", i), small(i)))
	}
	msgs = append(msgs, imaptest.Submission("bulk@nhs.net", "big.csv", big.String()))
	first := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	const runDay = "2026-03-20"

	setup := func() *mailboxSetup {
		m := newMailboxSetup(t, 50)
		orgs, err := os.CreateTemp(t.TempDir(), "orgs*.csv")
		if err != nil {
			t.Fatal(err)
		}
		(synth.Set{Orgs: 4, Rows: 15000}).Organisations(orgs)
		orgs.Close()
		m.must("org", "import", orgs.Name())
		m.must("senders", "add", "bulk@nhs.net", "-org", strings.Join(synthOrgs(4), ","))
		st := m.store()
		err = st.InTx(context.Background(), func(tx *store.Tx) error { return tx.Trust("bulk@nhs.net", "test", 0, time.Now()) })
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i, raw := range msgs {
			m.srv.Append(t, raw, first.AddDate(0, 0, i))
		}
		m.must("poll", "-once")
		return m
	}

	clean := setup()
	clean.must("batch", "run", "-no-sync", "-day", runDay)
	want := clean.nightSummary()
	if !strings.Contains(want, "big.csv processed") || strings.Count(want, "mail results") != 5 {
		t.Fatalf("uninterrupted night did not process every file:\n%s", want[strings.Index(want, "submission"):])
	}

	t.Run("between files", func(t *testing.T) {
		m := setup()
		if err := m.batchCmd(runDay, "after-file").Run(); !killedBySIGKILL(err) {
			t.Fatalf("got %v, want death by SIGKILL", err)
		}
		m.must("batch", "run", "-no-sync", "-day", runDay)
		if got := m.nightSummary(); got != want {
			t.Errorf("after the restart:\n%s\nwant:\n%s", tail(got), tail(want))
		}
	})

	t.Run("mid-file", func(t *testing.T) {
		m := setup()
		cmd := m.batchCmd(runDay, "")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The big file is last; once its results file is growing the
		// process is in the middle of it.
		results := filepath.Join(m.dir, "var", "results")
		deadline := time.Now().Add(60 * time.Second)
		for !growing(results, 100<<10) {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("the big file's results never started")
			}
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Kill()
		if err := cmd.Wait(); !killedBySIGKILL(err) {
			t.Fatalf("the run finished before it could be killed (%v): make the file bigger", err)
		}
		st := m.store()
		sub, _ := st.Submissions(context.Background(), store.SubmissionFilter{Sender: "bulk@nhs.net"})
		st.Close()
		if len(sub) != 1 || sub[0].State != store.StateAccepted {
			t.Fatalf("after the kill the big file is %+v, want still accepted (its transaction never committed)", sub)
		}
		m.must("batch", "run", "-no-sync", "-day", runDay)
		if got := m.nightSummary(); got != want {
			t.Errorf("after the restart:\n%s\nwant:\n%s", tail(got), tail(want))
		}
		if left, _ := filepath.Glob(filepath.Join(results, ".*.csv.*")); len(left) != 0 {
			t.Errorf("temporary results files left: %v", left)
		}
	})
}

// growing reports whether a temporary results file in dir has passed size.
func growing(dir string, size int64) bool {
	tmp, _ := filepath.Glob(filepath.Join(dir, ".*.csv.*"))
	for _, f := range tmp {
		if fi, err := os.Stat(f); err == nil && fi.Size() > size {
			return true
		}
	}
	return false
}

func tail(s string) string {
	if i := strings.Index(s, "submission"); i >= 0 {
		return s[i:]
	}
	return s
}
