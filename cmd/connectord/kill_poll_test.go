package main

import (
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

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"connectord/internal/imaptest"
	"connectord/internal/mailstack"
	"connectord/store"
)

// testMailbox is an IMAP server a test puts mail in and looks into.
type testMailbox interface {
	Append(t testing.TB, raw []byte, received time.Time)
	Count(t testing.TB, mailbox string) (all, live int)
}

// dovecotMailbox is the connector mailbox of a private Dovecot.
type dovecotMailbox struct{ s *mailstack.Stack }

func (d dovecotMailbox) Append(t testing.TB, raw []byte, received time.Time) {
	t.Helper()
	c, err := imapclient.DialInsecure(d.s.IMAPAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(imaptest.User, d.s.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: received})
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func (d dovecotMailbox) Count(t testing.TB, mailbox string) (int, int) {
	t.Helper()
	return imaptest.Count(t, d.s.IMAPAddr, imaptest.User, d.s.Password, mailbox)
}

// mailboxSetup is a data directory and config pointed at an IMAP server.
type mailboxSetup struct {
	t      *testing.T
	srv    testMailbox
	dir    string
	config string
}

// newMailboxSetup points connectord at go-imap's in-memory server.
func newMailboxSetup(t *testing.T, batchSize int) *mailboxSetup {
	t.Helper()
	srv := imaptest.Start(t, imaptest.CapsMove)
	return newMailboxSetupOn(t, batchSize, srv, srv.Addr)
}

// newMailboxSetupOn points connectord at the IMAP server at addr, whose
// connector mailbox password is imaptest.Password.
func newMailboxSetupOn(t *testing.T, batchSize int, srv testMailbox, addr string) *mailboxSetup {
	t.Helper()
	dir := t.TempDir()
	pass := filepath.Join(dir, "imap.pass")
	if err := os.WriteFile(pass, []byte(imaptest.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`data_dir: %s
imap:
  address: %s
  tls: none
  username: %s
  password_file: %s
  batch_size: %d
  # go-imap's in-memory server can miss an IDLE push (a known race in its
  # IDLE handling): a short interval makes the poller look anyway.
  poll_interval: 1s
reviewers: [support@nhs.net]
log:
  level: warn
`, filepath.Join(dir, "var"), addr, imaptest.User, pass, batchSize)
	path := filepath.Join(dir, "connectord.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &mailboxSetup{t: t, srv: srv, dir: dir, config: path}
	m.must("org", "import", "../../testdata/organisations.csv")
	m.must("senders", "add", "admin.leeds@nhs.net", "-org", "RR8,A81001")
	m.must("senders", "add", "new.admin@nhs.net", "-org", "RR8")
	st := m.store()
	defer st.Close()
	err := st.InTx(context.Background(), func(tx *store.Tx) error {
		return tx.Trust("admin.leeds@nhs.net", "test", 0, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *mailboxSetup) must(args ...string) string {
	m.t.Helper()
	c := &cli{t: m.t, db: filepath.Join(m.dir, "var", "connectord.db")}
	return c.must(append([]string{"-config", m.config}, args...)...)
}

// addConfig appends top-level sections to the configuration file.
func (m *mailboxSetup) addConfig(yaml string) {
	m.t.Helper()
	f, err := os.OpenFile(m.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		m.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(yaml); err != nil {
		m.t.Fatal(err)
	}
}

func (m *mailboxSetup) store() *store.Store {
	m.t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(m.dir, "var", "connectord.db"))
	if err != nil {
		m.t.Fatal(err)
	}
	return st
}

// summary is what the mailbox led to: each message's disposition (by the
// hash of its bytes) and the mail queued, by kind and recipient.
func (m *mailboxSetup) summary() string {
	m.t.Helper()
	st := m.store()
	defer st.Close()
	ctx := context.Background()
	subs, err := st.Submissions(ctx, store.SubmissionFilter{})
	if err != nil {
		m.t.Fatal(err)
	}
	var lines []string
	for _, s := range subs {
		lines = append(lines, fmt.Sprintf("%s %s %s %s", s.SHA256[:12], s.State, s.Sender, s.Filename))
	}
	mail, err := st.Outbox(ctx, store.OutboxFilter{})
	if err != nil {
		m.t.Fatal(err)
	}
	for _, o := range mail {
		lines = append(lines, fmt.Sprintf("mail %s to %s", o.Kind, o.Recipient))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func (m *mailboxSetup) spoolOrphans() []string {
	m.t.Helper()
	st := m.store()
	defer st.Close()
	refs, err := st.SpoolSegments(context.Background())
	if err != nil {
		m.t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(m.dir, "var", "spool"))
	var orphans []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".spool") && !refs[e.Name()] {
			orphans = append(orphans, e.Name())
		}
	}
	return orphans
}

func (m *mailboxSetup) pollCrashing(crash string) {
	m.t.Helper()
	cmd := exec.Command(os.Args[0], "-config", m.config, "poll", "-once")
	cmd.Env = append(os.Environ(), "CONNECTORD_RUN_MAIN=1", "CONNECTORD_CRASH="+crash)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		m.t.Fatalf("poll with crash %s: got %v, want death by SIGKILL\n%s", crash, err, out)
	}
}

// A poller killed after writing a batch to the spool, or after recording
// it, loses nothing and takes nothing twice once restarted: the result is
// the same as a run that was never interrupted.
func TestKillDuringPoll(t *testing.T) {
	day := time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
	bounce, err := os.ReadFile("../../inspect/testdata/bounce.eml")
	if err != nil {
		t.Fatal(err)
	}
	csv := "FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n"
	msgs := [][]byte{
		imaptest.Submission("admin.leeds@nhs.net", "morning.csv", csv),
		// Over max_message_bytes (below): only its header is fetched, in
		// the same batch as a whole message.
		imaptest.Submission("admin.leeds@nhs.net", "large.csv", csv+strings.Repeat("Bob,Jones,,RR8\r\n", 3000)),
		imaptest.Submission("admin.leeds@nhs.net", "evening.csv", csv),
		imaptest.Submission("new.admin@nhs.net", "first.csv", csv),
		imaptest.Submission("stranger@nhs.net", "x.csv", csv),
		bounce,
	}
	load := func(m *mailboxSetup) {
		m.addConfig("ingest:\n  max_attachment_bytes: 16384\n  max_message_bytes: 32768\n")
		for i, raw := range msgs {
			m.srv.Append(t, raw, day.Add(time.Duration(i)*time.Hour))
		}
	}
	servers := []struct {
		name  string
		setup func(t *testing.T) *mailboxSetup
	}{
		{"in-memory IMAP", func(t *testing.T) *mailboxSetup { return newMailboxSetup(t, 2) }},
		{"Dovecot", func(t *testing.T) *mailboxSetup {
			s := mailstack.Start(t, mailstack.WithoutTLS())
			return newMailboxSetupOn(t, 2, dovecotMailbox{s}, s.IMAPAddr)
		}},
	}
	for _, server := range servers {
		t.Run(server.name, func(t *testing.T) { killDuringPoll(t, server.setup, msgs, load) })
	}
}

func killDuringPoll(t *testing.T, setup func(*testing.T) *mailboxSetup, msgs [][]byte, load func(*mailboxSetup)) {
	clean := setup(t)
	load(clean)
	clean.must("poll", "-once")
	want := clean.summary()
	if n := strings.Count(want, "\n") + 1; n < 10 || !strings.Contains(want, "rejected admin.leeds@nhs.net \n") {
		t.Fatalf("uninterrupted run recorded too little (or took the large message):\n%s", want)
	}

	for _, crash := range []string{"after-spool", "after-record"} {
		t.Run(crash, func(t *testing.T) {
			m := setup(t)
			load(m)
			m.pollCrashing(crash)
			if _, live := m.srv.Count(t, "INBOX"); live != len(msgs) {
				t.Errorf("after the crash INBOX has %d live messages, want all %d (none moved before recording)", live, len(msgs))
			}
			if crash == "after-spool" && len(m.spoolOrphans()) != 1 {
				t.Errorf("after the crash: orphans %v, want the one unrecorded segment", m.spoolOrphans())
			}
			m.must("poll", "-once")
			if got := m.summary(); got != want {
				t.Errorf("after restart:\n%s\nwant (uninterrupted run):\n%s", got, want)
			}
			if o := m.spoolOrphans(); len(o) != 0 {
				t.Errorf("spool keeps orphans %v", o)
			}
			if _, live := m.srv.Count(t, "INBOX"); live != 0 {
				t.Errorf("INBOX still has %d live messages", live)
			}
			if all, _ := m.srv.Count(t, "Processed"); all != len(msgs) {
				t.Errorf("Processed has %d messages, want %d", all, len(msgs))
			}
		})
	}
}
