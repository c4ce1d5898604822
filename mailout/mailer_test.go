package mailout

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/mail"

	"connectord/internal/mailstack"
	"connectord/internal/storetest"
	"connectord/store"
)

type fixture struct {
	st     *store.Store
	sender *Mailer
	stack  *mailstack.Stack
	dir    string
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	stack := mailstack.Start(t)
	dir := t.TempDir()
	st := storetest.Open(t)
	f := &fixture{st: st, stack: stack, dir: dir, now: time.Now()}
	f.sender = &Mailer{
		Store: st, Relay: Relay{Address: stack.SMTPAddr, TLS: TLSNone, Timeout: 10 * time.Second},
		From: "connector.data@nhs.net", LoopHeader: "X-Connectord-Loop", DataDir: dir, MaxAttempts: 3,
		MaxAttachmentBytes: 1 << 20, Interval: time.Minute, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return f.now },
	}
	return f
}

func (f *fixture) enqueue(t *testing.T, m store.OutboxMessage) int64 {
	t.Helper()
	if m.MessageID == "" {
		m.MessageID = "id-" + m.Recipient + "-" + m.Subject + "@nhs.net"
	}
	err := f.st.InTx(context.Background(), func(tx *store.Tx) error { return tx.Enqueue(&m, f.now) })
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func (f *fixture) state(t *testing.T, id int64) store.OutboxMessage {
	t.Helper()
	list, err := f.st.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no outbox message %d", id)
	return store.OutboxMessage{}
}

// fetchAll reads user's INBOX over IMAP.
func (f *fixture) fetchAll(t *testing.T, user string) []*mail.Reader {
	t.Helper()
	c, err := imapclient.DialInsecure(f.stack.IMAPAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, f.stack.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: sel.NumMessages}}, &imap.FetchOptions{
		BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []*mail.Reader
	for _, m := range msgs {
		for _, b := range m.BodySection {
			mr, err := mail.CreateReader(bytes.NewReader(b.Bytes))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, mr)
		}
	}
	return out
}

func TestSendsWithHeadersAndAttachment(t *testing.T) {
	f := newFixture(t)
	if err := os.MkdirAll(filepath.Join(f.dir, "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	csv := "\uFEFFFirstName,Result\r\nAnn,PROCESSED_NEW\r\n"
	os.WriteFile(filepath.Join(f.dir, "results", "1.csv"), []byte(csv), 0o644)
	id := f.enqueue(t, store.OutboxMessage{Kind: store.MailResults, Recipient: "alice@nhs.net", Subject: "Results: a.csv",
		Body: "Your results.", InReplyTo: "orig-1@nhs.net", AttachmentName: "a-results.csv", AttachmentPath: "results/1.csv"})
	st, err := f.sender.DrainOnce(context.Background())
	if err != nil || st.Sent != 1 {
		t.Fatalf("drain: %+v, %v; want 1 sent", st, err)
	}
	if m := f.state(t, id); m.State != store.OutboxSent {
		t.Fatalf("state %s (%s), want sent", m.State, m.LastError)
	}
	f.stack.WaitForMail(t, "alice@nhs.net", 1)
	mr := f.fetchAll(t, "alice@nhs.net")[0]
	for h, want := range map[string]string{"Auto-Submitted": "auto-replied", "X-Connectord-Loop": "connector.data@nhs.net",
		"Message-Id": "<id-alice@nhs.net-Results: a.csv@nhs.net>", "In-Reply-To": "<orig-1@nhs.net>", "References": "<orig-1@nhs.net>"} {
		if got := mr.Header.Get(h); got != want {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
	var attached []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if ah, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, _ := ah.Filename()
			if name != "a-results.csv" {
				t.Errorf("attachment %q, want a-results.csv", name)
			}
			attached, _ = io.ReadAll(p.Body)
		}
	}
	if string(attached) != csv {
		t.Errorf("attachment %q, want the results file byte for byte", attached)
	}
}

func TestLargeResultsAreZipped(t *testing.T) {
	f := newFixture(t)
	f.sender.MaxAttachmentBytes = 1000
	os.MkdirAll(filepath.Join(f.dir, "results"), 0o755)
	big := strings.Repeat("Ann,Other,PROCESSED_NEW\r\n", 500)
	os.WriteFile(filepath.Join(f.dir, "results", "2.csv"), []byte(big), 0o644)
	f.enqueue(t, store.OutboxMessage{Kind: store.MailResults, Recipient: "alice@nhs.net", Subject: "big",
		Body: "x", AttachmentName: "big-results.csv", AttachmentPath: "results/2.csv"})
	if st, err := f.sender.DrainOnce(context.Background()); err != nil || st.Sent != 1 {
		t.Fatalf("drain: %+v %v", st, err)
	}
	f.stack.WaitForMail(t, "alice@nhs.net", 1)
	mr := f.fetchAll(t, "alice@nhs.net")[0]
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			t.Fatal("no attachment")
		}
		ah, ok := p.Header.(*mail.AttachmentHeader)
		if !ok {
			continue
		}
		name, _ := ah.Filename()
		data, _ := io.ReadAll(p.Body)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if name != "big-results.csv.zip" || err != nil || len(zr.File) != 1 || zr.File[0].Name != "big-results.csv" {
			t.Fatalf("attachment %q (%v), want big-results.csv.zip holding big-results.csv", name, err)
		}
		rc, _ := zr.File[0].Open()
		got, _ := io.ReadAll(rc)
		if string(got) != big {
			t.Error("zipped results differ from the file")
		}
		return
	}
}

// A 5xx for one recipient fails that message only; the rest go.
func TestPermanentFailureFailsOneMessage(t *testing.T) {
	f := newFixture(t)
	bad := f.enqueue(t, store.OutboxMessage{Kind: store.MailAck, Recipient: "nobody@nhs.net", Subject: "a", Body: "x"})
	off := f.enqueue(t, store.OutboxMessage{Kind: store.MailAck, Recipient: "someone@example.org", Subject: "b", Body: "x"})
	good := f.enqueue(t, store.OutboxMessage{Kind: store.MailAck, Recipient: "bob@nhs.net", Subject: "c", Body: "x"})
	st, err := f.sender.DrainOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 1 || st.Failed != 2 || st.Retried != 0 {
		t.Errorf("got %+v, want 1 sent, 2 failed", st)
	}
	for _, id := range []int64{bad, off} {
		if m := f.state(t, id); m.State != store.OutboxFailed || !strings.Contains(m.LastError, "550") {
			t.Errorf("message %d: %s %q, want failed with the 550", id, m.State, m.LastError)
		}
	}
	if m := f.state(t, good); m.State != store.OutboxSent {
		t.Errorf("good message: %s, want sent", m.State)
	}
}

// An unreachable relay defers with backoff, gives up after max_attempts,
// and an operator's retry later sends the same email (same Message-ID).
func TestTemporaryFailureRetries(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	real := f.sender.Relay.Address
	f.sender.Relay.Address = closed
	id := f.enqueue(t, store.OutboxMessage{Kind: store.MailAck, Recipient: "alice@nhs.net", Subject: "retry", Body: "x",
		MessageID: "fixed-1@nhs.net"})
	for attempt := 1; attempt <= 3; attempt++ {
		st, err := f.sender.DrainOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		m := f.state(t, id)
		if attempt < 3 && (st.Retried != 1 || m.State != store.OutboxPending || !m.NextAttemptAt.After(f.now)) {
			t.Fatalf("attempt %d: %+v, state %s next %v; want deferred", attempt, st, m.State, m.NextAttemptAt)
		}
		if attempt == 3 && (st.Failed != 1 || m.State != store.OutboxFailed) {
			t.Fatalf("attempt 3: %+v, state %s; want failed after max_attempts", st, m.State)
		}
		f.now = m.NextAttemptAt.Add(time.Second) // the backoff has passed
	}
	f.sender.Relay.Address = real
	if err := f.st.RetryOutbox(context.Background(), id, "test", f.now); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.sender.DrainOnce(context.Background()); st.Sent != 1 {
		t.Fatalf("after retry: %+v, want sent", st)
	}
	f.stack.WaitForMail(t, "alice@nhs.net", 1)
	if got := f.fetchAll(t, "alice@nhs.net")[0].Header.Get("Message-Id"); got != "<fixed-1@nhs.net>" {
		t.Errorf("Message-ID %q, want the one fixed before the first attempt", got)
	}
}

// Mail found mid-send after a crash is failed for an operator, not resent.
func TestInterruptedSendIsNotRepeated(t *testing.T) {
	f := newFixture(t)
	id := f.enqueue(t, store.OutboxMessage{Kind: store.MailAck, Recipient: "alice@nhs.net", Subject: "s", Body: "x"})
	if ok, err := f.st.ClaimMail(context.Background(), id); err != nil || !ok { // the crashed process's claim
		t.Fatalf("claim: %v, %v", ok, err)
	}
	if err := f.sender.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.sender.DrainOnce(context.Background()); st.Sent != 0 {
		t.Errorf("sent %d, want 0", st.Sent)
	}
	if m := f.state(t, id); m.State != store.OutboxFailed || !strings.Contains(m.LastError, "interrupted") {
		t.Errorf("state %s %q, want failed as interrupted", m.State, m.LastError)
	}
}

func TestRefusesPlaintextToRemoteRelay(t *testing.T) {
	r := Relay{Address: "smtp.example.org:25", TLS: TLSNone}
	if _, _, err := r.client(); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("got %v, want a refusal of plaintext to a remote relay", err)
	}
}
