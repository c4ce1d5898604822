package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/mail"

	"connectord/batchday"
	"connectord/internal/imaptest"
	"connectord/internal/mailstack"
	"connectord/store"
)

// e2e is connectord configured against a private Postfix and Dovecot.
type e2e struct {
	t      *testing.T
	stack  *mailstack.Stack
	dir    string
	config string
	c      *cli
}

const (
	trustedSender = "admin.leeds@nhs.net"
	newSender     = "new.admin@nhs.net"
	strangerAddr  = "stranger@nhs.net"
	reviewerAddr  = "support@nhs.net"
)

func newE2E(t *testing.T) *e2e {
	t.Helper()
	stack := mailstack.Start(t, mailstack.WithUsers(trustedSender, newSender, strangerAddr))
	dir := t.TempDir()
	pass := filepath.Join(dir, "imap.pass")
	if err := os.WriteFile(pass, []byte(stack.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`data_dir: %s
imap:
  address: %s
  tls: none
  username: connector.data@nhs.net
  password_file: %s
  poll_interval: 2s
smtp:
  address: %s
  tls: none
  auth: none
  from: connector.data@nhs.net
ops:
  listen: 127.0.0.1:0
console:
  listen: ""
reviewers: [%s]
log:
  level: warn
`, filepath.Join(dir, "var"), stack.IMAPAddr, pass, stack.SMTPAddr, reviewerAddr)
	path := filepath.Join(dir, "connectord.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &e2e{t: t, stack: stack, dir: dir, config: path, c: &cli{t: t, db: filepath.Join(dir, "var", "connectord.db")}}
	e.run("org", "import", "../../testdata/organisations.csv")
	e.run("senders", "add", trustedSender, "-org", "RR8,A81001")
	e.run("senders", "add", newSender, "-org", "RR8")
	e.run("directory", "import", "../../testdata/directory.csv")
	st, err := store.Open(context.Background(), e.c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.InTx(context.Background(), func(tx *store.Tx) error { return tx.Trust(trustedSender, "test", 0, time.Now()) }); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *e2e) run(args ...string) string {
	e.t.Helper()
	return e.c.must(append([]string{"-config", e.config}, args...)...)
}

// send submits raw over SMTP, as a connector admin's mail server would
// (with its Authentication-Results already stamped).
func (e *e2e) send(from string, raw []byte) {
	e.t.Helper()
	c, err := smtp.Dial(e.stack.SMTPAddr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("sender.test"); err != nil {
		e.t.Fatal(err)
	}
	if err := c.Mail(from); err != nil {
		e.t.Fatal(err)
	}
	if err := c.Rcpt("connector.data@nhs.net"); err != nil {
		e.t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		e.t.Fatal(err)
	}
	w.Write(raw)
	if err := w.Close(); err != nil {
		e.t.Fatal(err)
	}
	c.Quit()
}

// inbox fetches every message in user's INBOX over IMAP.
func (e *e2e) inbox(user string) [][]byte {
	e.t.Helper()
	c, err := imapclient.DialInsecure(e.stack.IMAPAddr, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, e.stack.Password).Wait(); err != nil {
		e.t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		e.t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqRange(sel.NumMessages)...), &imap.FetchOptions{
		BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		e.t.Fatal(err)
	}
	var out [][]byte
	for _, m := range msgs {
		for _, b := range m.BodySection {
			out = append(out, b.Bytes)
		}
	}
	return out
}

func seqRange(n uint32) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i + 1)
	}
	return s
}

// received is one email as a person would read it.
type received struct {
	header     mail.Header
	subject    string
	body       string
	attachName string
	attachment []byte
}

func parseMail(t *testing.T, raw []byte) received {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	r := received{header: mr.Header}
	r.subject, _ = mr.Header.Subject()
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.AttachmentHeader:
			r.attachName, _ = h.Filename()
			r.attachment = b
		default:
			r.body += string(b)
		}
	}
	return r
}

func TestEndToEnd(t *testing.T) {
	e := newE2E(t)
	sample, err := os.ReadFile("../../testdata/push-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	good := "FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n"
	e.send(trustedSender, imaptest.Submission(trustedSender, "morning.csv", good))
	e.stack.WaitForMail(t, "connector.data@nhs.net", 1)
	e.send(trustedSender, imaptest.Submission(trustedSender, "staff.csv", string(sample)))
	e.send(newSender, imaptest.Submission(newSender, "first.csv", good))
	e.send(strangerAddr, imaptest.Submission(strangerAddr, "x.csv", good))
	e.stack.WaitForMail(t, "connector.data@nhs.net", 4)

	lines := e.run("poll", "-once")
	for _, want := range []string{"superseded", "accepted", "held", "rejected"} {
		if !strings.Contains(lines, want) {
			t.Errorf("poll -once output lacks %s:\n%s", want, lines)
		}
	}
	e.run("outbox", "send")
	e.stack.WaitForMail(t, trustedSender, 2) // two acknowledgements
	e.stack.WaitForMail(t, newSender, 1)     // held
	e.stack.WaitForMail(t, strangerAddr, 1)  // not on the roster
	e.stack.WaitForMail(t, reviewerAddr, 1)  // review notice

	loc, _ := time.LoadLocation("Europe/London")
	day := batchday.Of(time.Now(), loc, 20*60) // still open: files sent now go to it
	e.run("batch", "run", "-day", day, "-force")
	e.run("outbox", "send")
	e.stack.WaitForMail(t, trustedSender, 3)

	var results *received
	for _, raw := range e.inbox(trustedSender) {
		m := parseMail(t, raw)
		if auto := m.header.Get("Auto-Submitted"); auto != "auto-replied" {
			t.Errorf("%q: Auto-Submitted %q, want auto-replied", m.subject, auto)
		}
		if m.header.Get(LoopHeader) == "" || m.header.Get("In-Reply-To") == "" {
			t.Errorf("%q lacks the loop header or In-Reply-To", m.subject)
		}
		if strings.HasPrefix(m.subject, "Results:") {
			results = &m
		}
	}
	if results == nil {
		t.Fatal("no results email reached the trusted sender")
	}
	if results.attachName != "staff-results.csv" {
		t.Errorf("attachment %q, want staff-results.csv", results.attachName)
	}
	if !strings.Contains(results.body, "morning.csv") {
		t.Errorf("results email does not name the superseded file:\n%s", results.body)
	}
	want, err := os.ReadFile("../../provision/testdata/push-sample.results.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got, w := resultColumn(t, results.attachment), resultColumn(t, want); got != w {
		t.Errorf("Result column:\n%s\nwant:\n%s", got, w)
	}
	for user, wantText := range map[string]string{newSender: "held", strangerAddr: "Connector role", reviewerAddr: "waiting for review"} {
		msgs := e.inbox(user)
		if len(msgs) != 1 || !strings.Contains(string(msgs[0]), wantText) {
			t.Errorf("%s: got %d messages, want one saying %q", user, len(msgs), wantText)
		}
	}
	// Nothing is sent twice: another drain and another run send nothing.
	e.run("batch", "run", "-day", day, "-force")
	e.run("outbox", "send")
	if n := len(e.inbox(trustedSender)); n != 3 {
		t.Errorf("trusted sender has %d messages after a re-run, want 3", n)
	}
}

// resultColumn is the Result cell of each row of a results file.
func resultColumn(t *testing.T, data []byte) string {
	t.Helper()
	r := csv.NewReader(bufio.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "Result" {
			col = i
		}
	}
	var out []string
	for _, rec := range recs[1:] {
		out = append(out, rec[col])
	}
	return strings.Join(out, "\n")
}
