package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"connectord/internal/imaptest"
	"connectord/spool"
	"connectord/store"
)

var (
	capsMove  = imaptest.CapsMove
	capsPlain = imaptest.CapsPlain
)

// submissionMail is an authenticated submission with one CSV attachment.
func submissionMail(from, filename, csv string, extra ...string) []byte {
	return imaptest.Submission(from, filename, csv, extra...)
}

func TestPollTakesEachMessageOnce(t *testing.T) {
	for name, caps := range map[string]imap.CapSet{"MOVE": capsMove, "without MOVE or UIDPLUS": capsPlain} {
		t.Run(name, func(t *testing.T) {
			srv := imaptest.Start(t, caps)
			f := newIngestFixture(t, srv.Addr)
			for i := range 7 {
				srv.Append(t, submissionMail("trusted@nhs.net", "f.csv", validCSV), at("2026-03-0"+string(rune('1'+i)), "12:00:00"))
			}
			out := f.sync(t)
			if len(out) != 7 {
				t.Fatalf("took %d messages, want 7: %+v", len(out), out)
			}
			for _, o := range out {
				if o.State != store.StateAccepted || o.SubmissionID == 0 {
					t.Errorf("uid %d: %s %q, want accepted", o.UID, o.State, o.Reason)
				}
			}
			if _, live := srv.Count(t, "INBOX"); live != 0 {
				t.Errorf("INBOX still has %d live messages", live)
			}
			if all, _ := srv.Count(t, "Processed"); all != 7 {
				t.Errorf("Processed has %d messages, want 7", all)
			}
			if again := f.sync(t); len(again) != 0 {
				t.Errorf("second sync took %d messages, want 0", len(again))
			}
			if n := len(f.outbox(t)); n != 7 {
				t.Errorf("outbox has %d mails, want 7 acknowledgements", n)
			}
		})
	}
}

func TestFirstTimeSenderHeldThenApproved(t *testing.T) {
	srv := imaptest.Start(t, capsMove)
	f := newIngestFixture(t, srv.Addr)
	srv.Append(t, submissionMail("alice.smith@nhs.net", "first.csv", validCSV), at("2026-03-03", "10:00:00"))
	out := f.sync(t)
	if len(out) != 1 || out[0].State != store.StateHeld {
		t.Fatalf("got %+v, want one held", out)
	}
	mail := f.outbox(t)
	kinds := map[string]string{}
	for _, m := range mail {
		kinds[m.Kind] = m.Recipient
	}
	if kinds[store.MailHeld] != "alice.smith@nhs.net" || kinds[store.MailReview] != reviewer || len(mail) != 2 {
		t.Fatalf("outbox: got %+v, want a held notice to alice and a review notice to %s", kinds, reviewer)
	}
	r := &Review{Store: f.st}
	if _, err := r.Approve(context.Background(), out[0].SubmissionID, "rita", f.now); err != nil {
		t.Fatal(err)
	}
	_, err := r.Approve(context.Background(), out[0].SubmissionID, "sam", f.now)
	if !errors.Is(err, store.ErrAlreadyDecided) || !strings.Contains(err.Error(), "rita") {
		t.Errorf("second reviewer: got %v, want already decided by rita", err)
	}
	sub, _ := f.st.Submission(context.Background(), out[0].SubmissionID)
	if sub.State != store.StateAccepted {
		t.Errorf("after approval: %s, want accepted", sub.State)
	}
	srv.Append(t, submissionMail("alice.smith@nhs.net", "second.csv", validCSV), at("2026-03-04", "10:00:00"))
	if out := f.sync(t); len(out) != 1 || out[0].State != store.StateAccepted {
		t.Errorf("second file: got %+v, want accepted directly", out)
	}
}

func TestRejectWithReason(t *testing.T) {
	srv := imaptest.Start(t, capsMove)
	f := newIngestFixture(t, srv.Addr)
	srv.Append(t, submissionMail("alice.smith@nhs.net", "first.csv", validCSV), at("2026-03-03", "10:00:00"))
	out := f.sync(t)
	r := &Review{Store: f.st}
	if _, err := r.Reject(context.Background(), out[0].SubmissionID, "", "rita", f.now); err == nil {
		t.Error("reject without a reason: got no error")
	}
	if _, err := r.Reject(context.Background(), out[0].SubmissionID, "wrong organisation", "rita", f.now); err != nil {
		t.Fatal(err)
	}
	var decision *store.OutboxMessage
	for _, m := range f.outbox(t) {
		if m.Kind == store.MailDecision {
			decision = &m
		}
	}
	if decision == nil || decision.Recipient != "alice.smith@nhs.net" || !strings.Contains(decision.Body, "wrong organisation") {
		t.Errorf("decision mail: got %+v, want the reason sent to alice", decision)
	}
}

func TestLastFileOfTheDayWins(t *testing.T) {
	srv := imaptest.Start(t, capsMove)
	f := newIngestFixture(t, srv.Addr)
	srv.Append(t, submissionMail("trusted@nhs.net", "a.csv", validCSV), at("2026-07-15", "09:00:00"))
	srv.Append(t, submissionMail("trusted@nhs.net", "b.csv", validCSV), at("2026-07-15", "15:00:00"))
	f.sync(t)
	// The third comes in a later sync, a second before the cutoff (BST).
	srv.Append(t, submissionMail("trusted@nhs.net", "c.csv", validCSV), at("2026-07-15", "19:59:59"))
	// A fourth at the cutoff belongs to the next day and replaces nothing.
	srv.Append(t, submissionMail("trusted@nhs.net", "d.csv", validCSV), at("2026-07-15", "20:00:00"))
	f.sync(t)
	subs, err := f.st.Submissions(context.Background(), store.SubmissionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	day := map[string]string{}
	for _, s := range subs {
		got[s.Filename], day[s.Filename] = s.State, s.BatchDay
	}
	want := map[string]string{"a.csv": store.StateSuperseded, "b.csv": store.StateSuperseded, "c.csv": store.StateAccepted, "d.csv": store.StateAccepted}
	for file, state := range want {
		if got[file] != state {
			t.Errorf("%s: %s, want %s", file, got[file], state)
		}
	}
	if day["c.csv"] != "2026-07-15" || day["d.csv"] != "2026-07-16" {
		t.Errorf("batch days: c %s, d %s; want 2026-07-15 and 2026-07-16", day["c.csv"], day["d.csv"])
	}
	var ackC string
	for _, m := range f.outbox(t) {
		if m.Kind == store.MailAck && strings.Contains(m.Body, `"c.csv"`) {
			ackC = m.Body
		}
	}
	if !strings.Contains(ackC, `replaces "b.csv"`) {
		t.Errorf("acknowledgement of c.csv does not name b.csv:\n%s", ackC)
	}
}

// dispositionCase is one kind of message and what must become of it.
type dispositionCase struct {
	name      string
	raw       []byte
	wantState string
	wantReply bool
	reason    string // in the reason or the file name
}

// dispositionRun is a case and the max_message_bytes it runs with (0: the
// default).
type dispositionRun struct {
	dispositionCase
	maxMessage int64
}

// setUp applies the run's policy to a fixture.
func (tc dispositionRun) setUp(f *ingestFixture) {
	if tc.maxMessage != 0 {
		f.poller.Recorder.Rules.Policy.MaxMessageBytes = tc.maxMessage
	}
}

// dispositionRuns are the disposition cases, and the oversize cases with
// a 64 KiB message limit.
func dispositionRuns(t *testing.T) []dispositionRun {
	var runs []dispositionRun
	for _, tc := range dispositionCases(t) {
		runs = append(runs, dispositionRun{tc, 0})
	}
	for _, tc := range oversizeCases() {
		runs = append(runs, dispositionRun{tc, 64 << 10})
	}
	return runs
}

func dispositionCases(t *testing.T) []dispositionCase {
	t.Helper()
	fixture := func(name string) []byte {
		b, err := os.ReadFile("../inspect/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bigCSV := validCSV + strings.Repeat("Ann,Other,,RR8,"+strings.Repeat("x", 80)+"\r\n", 21<<20/100)
	return []dispositionCase{
		{"bounce", fixture("bounce.eml"), store.StateIgnored, false, "automatic"},
		{"auto-reply", fixture("autoreply.eml"), store.StateIgnored, false, "automatic"},
		{"bulk", fixture("bulk.eml"), store.StateIgnored, false, "automatic"},
		{"our own loop header", fixture("loop.eml"), store.StateIgnored, false, "automatic"},
		{"forged Authentication-Results", fixture("forged_authres.eml"), store.StateRejected, false, "not authenticated"},
		{"no Authentication-Results", submissionMail("trusted@nhs.net", "f.csv", validCSV)[len(imaptest.AuthHeader("nhs.net")):], store.StateRejected, false, "not authenticated"},
		{"local nhs.uk address", fixture("from_nhs_uk.eml"), store.StateRejected, false, "sender refused"},
		{"not on the roster", submissionMail("stranger@nhs.net", "f.csv", validCSV), store.StateRejected, true, "roster"},
		{"no attachment", submissionMail("trusted@nhs.net", "", ""), store.StateRejected, true, "no CSV"},
		{"two CSV attachments", fixture("two_csv.eml"), store.StateRejected, true, ""},
		{"an Excel workbook", fixture("xlsx_only.eml"), store.StateRejected, true, ""},
		{"an Outlook rich-text envelope", fixture("winmail.eml"), store.StateRejected, true, "Outlook rich-text envelope (winmail.dat)"},
		{"unusable file", submissionMail("trusted@nhs.net", "f.csv", "Name,Surname\r\nA,B\r\n"), store.StateRejected, true, "cannot be used"},
		// Within the default message limit (31.4 MiB): the attachment's own
		// limit refuses it.
		{"21 MB attachment", submissionMail("trusted@nhs.net", "big.csv", bigCSV), store.StateRejected, true, `the csv file "big.csv" is larger than the 20 mib limit`},
		{"RFC 2231 file name", fixture("rfc2231_filename.eml"), store.StateRejected, true, "Cliniciéns.csv"},
		// Forged and look-alike senders: each of these was accepted, or
		// answered, before.
		{"look-alike authserv-id (mx.nh\u017f.net)", withAuthResults("trusted@nhs.net",
			"Authentication-Results: mx.nh\u017f.net; dmarc=pass header.from=nhs.net"),
			store.StateRejected, false, `sender not authenticated: no authentication-results from mx.nhs.net (ignored authentication-results from untrusted authserv-id "mx.nh\u017f.net" (not ascii))`},
		{"forged pass below the receiving server's fail", withAuthResults("trusted@nhs.net",
			"Authentication-Results: mx.nhs.net; dmarc=fail header.from=nhs.net",
			"Received: from mail.evil.example (mail.evil.example [192.0.2.66])\r\n\tby mx.nhs.net with ESMTPS; Tue, 3 Mar 2026 18:01:02 +0000",
			"Authentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net"),
			store.StateRejected, false, "mx.nhs.net: dmarc=fail header.from=nhs.net; need dmarc=pass or dkim=pass header.d=nhs.net (ignored 1 authentication-results from mx.nhs.net below the topmost"},
		{"Kelvin sign in From", submissionMail("\u212aate.kirk@nhs.net", "f.csv", validCSV),
			store.StateRejected, false, "sender refused: not an allowed sender address"},
		{"look-alike domain nh\u017f.net", submissionMail("trusted@nh\u017f.net", "f.csv", validCSV),
			store.StateRejected, false, "sender refused: not an allowed sender address"},
		{"List-Unsubscribe", submissionMail("trusted@nhs.net", "f.csv", validCSV, "List-Unsubscribe: <mailto:leave@lists.nhs.net>"),
			store.StateIgnored, false, "automatic mail: mailing list message (list-unsubscribe)"},
		{"List-Post", submissionMail("trusted@nhs.net", "f.csv", validCSV, "List-Post: <mailto:staff@lists.nhs.net>"),
			store.StateIgnored, false, "list-post"},
		{"Precedence: auto_reply", submissionMail("trusted@nhs.net", "f.csv", validCSV, "Precedence: auto_reply"),
			store.StateIgnored, false, "precedence: auto_reply"},
		{"right-to-left override in the file name", bytes.Replace(fixture("rfc2231_filename.eml"),
			[]byte("Clinici%C3%A9ns.csv"), []byte("Sta%E2%80%8Bff%E2%80%AEvsc.csv"), 1),
			store.StateRejected, true, `"staffvsc.csv"`},
	}
}

// oversizeCases are larger than a 64 KiB max_message_bytes: only their
// header is fetched, and the checks run in order on it.
func oversizeCases() []dispositionCase {
	return []dispositionCase{
		{"too large, from a trusted sender", submissionMail("trusted@nhs.net", "big.csv", mediumCSV), store.StateRejected, true,
			"The email is 171.6 KiB, larger than the 64 KiB this service accepts, so it was not read"},
		{"too large, not on the roster", submissionMail("stranger@nhs.net", "big.csv", mediumCSV), store.StateRejected, true,
			"not on the Connector roster (the email is 171.6 KiB, larger than the 64 KiB limit: only its header was fetched)"},
		{"too large, not authenticated", withAuthResults("trusted@nhs.net", "X-Filler: "+strings.Repeat("x", 100<<10)), store.StateRejected, false,
			"sender not authenticated: no Authentication-Results from mx.nhs.net (the email is 100."},
		{"too large, look-alike sender", submissionMail("\u212aate.kirk@nhs.net", "big.csv", mediumCSV), store.StateRejected, false,
			"not an allowed sender address"},
		{"too large, a mailing list", submissionMail("trusted@nhs.net", "big.csv", mediumCSV, "List-Id: <staff.lists.nhs.net>"), store.StateIgnored, false,
			"automatic mail: mailing list message (list-id) (the email is"},
	}
}

// A message over the limit is recorded and moved like any other, but only
// its header is ever fetched and spooled; its sender is told the limits.
func TestOversizedMessageIsNeverSpooledWhole(t *testing.T) {
	srv := imaptest.Start(t, capsMove)
	f := newIngestFixture(t, srv.Addr)
	f.poller.Recorder.Rules.Policy.MaxMessageBytes = 64 << 10
	big := submissionMail("trusted@nhs.net", "big.csv", mediumCSV)
	srv.Append(t, big, at("2026-03-03", "12:00:00"))
	srv.Append(t, submissionMail("trusted@nhs.net", "small.csv", validCSV), at("2026-03-03", "12:01:00"))
	out := f.sync(t)
	if len(out) != 2 || out[0].State != store.StateRejected || out[1].State != store.StateAccepted {
		t.Fatalf("got %+v, want the large one rejected and the small one accepted", out)
	}
	sub, err := f.st.Submission(context.Background(), out[0].SubmissionID)
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := bytes.Cut(big, []byte("\r\n\r\n"))
	if want := int64(len(header) + 4); sub.Spool.Size != want {
		t.Errorf("spooled %d bytes of the %d-byte message, want its %d-byte header section only", sub.Spool.Size, len(big), want)
	}
	var spooled int64
	entries, _ := os.ReadDir(f.spool.Dir())
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), spool.SegmentSuffix) {
			spooled += fi.Size()
		}
	}
	if spooled >= int64(len(big)) {
		t.Errorf("the spool holds %d bytes, more than the %d-byte message it must not keep", spooled, len(big))
	}
	var reply string
	for _, m := range f.outbox(t) {
		if m.SubmissionID == sub.ID {
			reply = m.Body
		}
	}
	for _, want := range []string{"The email is 171.6 KiB, larger than the 64 KiB this service accepts", "at most 20 MiB"} {
		if !strings.Contains(reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, reply)
		}
	}
	if _, live := srv.Count(t, "INBOX"); live != 0 {
		t.Errorf("INBOX still has %d live messages", live)
	}
	if all, _ := srv.Count(t, "Processed"); all != 2 {
		t.Errorf("Processed has %d messages, want 2", all)
	}
	if again := f.sync(t); len(again) != 0 {
		t.Errorf("second sync took %+v, want nothing", again)
	}
}

// mediumCSV is a valid CSV of about 125 KiB (168 KiB in base64).
var mediumCSV = validCSV + strings.Repeat("Ann,Other,,RR8\r\n", 8000)

// withAuthResults is a submission from sender with a CSV whose header
// starts with lines (Authentication-Results and others, top first) instead
// of the trusted pass imaptest.Submission writes.
func withAuthResults(from string, lines ...string) []byte {
	_, domain, _ := strings.Cut(from, "@")
	raw := submissionMail(from, "f.csv", validCSV)[len(imaptest.AuthHeader(domain)):]
	return append([]byte(strings.Join(lines, "\r\n")+"\r\n"), raw...)
}

// checkDisposition checks a sync's outcome for one case.
func checkDisposition(t *testing.T, f *ingestFixture, tc dispositionRun, out []Outcome) {
	t.Helper()
	if len(out) != 1 {
		t.Fatalf("took %d messages, want 1", len(out))
	}
	said := strings.ToLower(out[0].Reason + " " + strconv.Quote(out[0].Filename))
	if out[0].State != tc.wantState || !strings.Contains(said, strings.ToLower(tc.reason)) {
		t.Fatalf("got %+v, want %s (%s)", out, tc.wantState, tc.reason)
	}
	for _, part := range []string{"sender not authenticated", "sender refused", "automatic mail"} {
		if n := strings.Count(out[0].Reason, part); n > 1 {
			t.Errorf("reason %q says %q %d times, want once", out[0].Reason, part, n)
		}
	}
	replied := false
	for _, m := range f.outbox(t) {
		if m.Kind != store.MailReview {
			replied = true
		}
	}
	if replied != tc.wantReply {
		t.Errorf("reply sent: %v, want %v", replied, tc.wantReply)
	}
}

func TestDispositions(t *testing.T) {
	for _, tc := range dispositionRuns(t) {
		t.Run(tc.name, func(t *testing.T) {
			srv := imaptest.Start(t, capsMove)
			f := newIngestFixture(t, srv.Addr)
			tc.setUp(f)
			srv.Append(t, tc.raw, at("2026-03-03", "12:00:00"))
			checkDisposition(t, f, tc, f.sync(t))
			if _, live := srv.Count(t, "INBOX"); live != 0 {
				t.Errorf("message left in INBOX")
			}
		})
	}
}

// A message whose bytes were recorded before (the mailbox's UIDVALIDITY
// changed, so every UID is new) keeps its one disposition.
func TestSameBytesAfterUIDValidityChange(t *testing.T) {
	srv := imaptest.Start(t, capsMove)
	f := newIngestFixture(t, srv.Addr)
	raw := submissionMail("trusted@nhs.net", "f.csv", validCSV)
	srv.Append(t, raw, at("2026-03-03", "12:00:00"))
	f.sync(t)
	// Forget the position, as after a UIDVALIDITY change, and put the same
	// bytes back in the mailbox.
	err := f.st.InTx(context.Background(), func(tx *store.Tx) error {
		return tx.SetIMAPState("INBOX", store.IMAPState{UIDValidity: 1, LastUID: 0})
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Append(t, raw, at("2026-03-03", "12:00:00"))
	out := f.sync(t)
	if len(out) != 1 || out[0].State != Duplicate {
		t.Fatalf("got %+v, want one duplicate", out)
	}
	subs, _ := f.st.Submissions(context.Background(), store.SubmissionFilter{})
	if len(subs) != 1 {
		t.Errorf("%d submissions, want 1", len(subs))
	}
	if _, live := srv.Count(t, "INBOX"); live != 0 {
		t.Errorf("duplicate left in INBOX")
	}
	segs, _ := os.ReadDir(f.spool.Dir())
	refs, _ := f.st.SpoolSegments(context.Background())
	for _, s := range segs {
		if strings.HasSuffix(s.Name(), spool.SegmentSuffix) && !refs[s.Name()] {
			t.Errorf("spool keeps an unreferenced segment %s", s.Name())
		}
	}
}

// cutProxy forwards loopback connections to an upstream server and cuts
// the first one after limit bytes from the server.
type cutProxy struct {
	ln    net.Listener
	limit int64
	mu    sync.Mutex
	n     int
	wg    sync.WaitGroup
}

func startCutProxy(t *testing.T, upstream string, limit int64) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, limit: limit}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			down, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", upstream)
			if err != nil {
				down.Close()
				continue
			}
			p.mu.Lock()
			p.n++
			cut := p.n == 1
			p.mu.Unlock()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); io.Copy(up, down); up.Close() }()
			go func() {
				defer p.wg.Done()
				if cut {
					io.CopyN(down, up, p.limit)
				} else {
					io.Copy(down, up)
				}
				down.Close()
				up.Close()
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func TestConnectionCutMidFetch(t *testing.T) {
	srv := imaptest.Start(t, capsMove)
	for i := range 5 {
		srv.Append(t, submissionMail("trusted@nhs.net", "f.csv", validCSV+strings.Repeat("Bob,Jones,,RR8\r\n", 200)), at("2026-03-0"+string(rune('1'+i)), "12:00:00"))
	}
	// The first connection dies part-way through the first FETCH.
	proxy := startCutProxy(t, srv.Addr, 6000)
	f := newIngestFixture(t, proxy.ln.Addr().String())
	if _, err := f.poller.SyncOnce(context.Background()); err == nil {
		t.Fatal("first sync succeeded through a cut connection")
	}
	out := f.sync(t) // a new connection, not cut
	if len(out) != 5 {
		t.Fatalf("after reconnecting took %d messages, want 5", len(out))
	}
	subs, _ := f.st.Submissions(context.Background(), store.SubmissionFilter{})
	if len(subs) != 5 {
		t.Errorf("%d submissions, want 5 (each once)", len(subs))
	}
}

// A server that accepts and then says nothing must not hang the poller.
func TestStalledServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			c.Write([]byte("* OK ready\r\n")) // then silence
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	f := newIngestFixture(t, ln.Addr().String())
	f.poller.Server.Timeout = 300 * time.Millisecond
	f.poller.PollInterval = time.Second
	errc := make(chan error, 1)
	go func() { _, err := f.poller.SyncOnce(context.Background()); errc <- err }()
	select {
	case err := <-errc:
		if err == nil {
			t.Error("sync against a silent server succeeded")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("sync against a silent server did not return")
	}
}
