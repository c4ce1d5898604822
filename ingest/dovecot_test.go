package ingest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"connectord/batchday"
	"connectord/internal/imaptest"
	"connectord/internal/mailstack"
	"connectord/mailauth"
	"connectord/spool"
	"connectord/store"
)

// The tests in this file run the poller against a real Dovecot on
// loopback (internal/mailstack). They skip where the stack cannot run (not
// root, or CONNECTORD_SKIP_MAILSTACK=1); scripts/test.sh and CI run them.
// One stack serves every subtest: each leaves the connector's INBOX empty.

// oauthServer is a loopback OAuth 2.0 token endpoint (client credentials)
// and the RFC 7662 introspection endpoint Dovecot asks about each token.
type oauthServer struct {
	*httptest.Server
	mu       sync.Mutex
	issued   int
	refusing bool            // introspection answers {"active": false}
	revoked  map[string]bool // tokens introspection refuses
	asked    int             // introspection requests
	refused  chan struct{}   // a token was refused (buffered, lossy)
}

const (
	oauthClientID     = "connectord-test"
	oauthClientSecret = "client-secret"
)

func startOAuthServer(t *testing.T) *oauthServer {
	t.Helper()
	o := &oauthServer{refused: make(chan struct{}, 1), revoked: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_id") != oauthClientID || r.PostForm.Get("client_secret") != oauthClientSecret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		o.mu.Lock()
		o.issued++
		tok := "token-" + string(rune('a'+o.issued%26))
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
	})
	mux.HandleFunc("POST /introspect", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		o.mu.Lock()
		o.asked++
		refusing := o.refusing || o.revoked[r.PostForm.Get("token")]
		o.mu.Unlock()
		// Refuse with the RFC 7662 body, never with a status code alone:
		// Dovecot reads the body of a 4xx reply as well.
		resp := map[string]any{"active": false}
		if !refusing && strings.HasPrefix(r.PostForm.Get("token"), "token-") {
			resp = map[string]any{"active": true, "username": mailboxUser}
		} else {
			select {
			case o.refused <- struct{}{}:
			default:
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	})
	o.Server = httptest.NewServer(mux)
	t.Cleanup(o.Close)
	return o
}

func (o *oauthServer) refuse(b bool) {
	o.mu.Lock()
	o.refusing = b
	o.mu.Unlock()
}

func (o *oauthServer) revoke(tok string) {
	o.mu.Lock()
	o.revoked[tok] = true
	o.mu.Unlock()
}

func (o *oauthServer) tokensIssued() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.issued
}

func (o *oauthServer) introspections() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.asked
}

// dovecot is the shared stack and what the subtests need of it.
type dovecot struct {
	s     *mailstack.Stack
	oauth *oauthServer
}

func startDovecot(t *testing.T) *dovecot {
	t.Helper()
	o := startOAuthServer(t)
	s := mailstack.Start(t, mailstack.WithOAuth2Introspection(o.URL+"/introspect"))
	return &dovecot{s: s, oauth: o}
}

// fixture is a fresh store and spool with a poller for the connector
// mailbox, reaching Dovecot the way srv says.
func (d *dovecot) fixture(t *testing.T, srv Server) *ingestFixture {
	t.Helper()
	f := newIngestFixture(t, srv.Address)
	srv.Timeout = 10 * time.Second
	f.poller.Server = srv
	return f
}

func (d *dovecot) plain() Server {
	return Server{Address: d.s.IMAPAddr, TLS: TLSNone,
		Creds: mailauth.Credentials{Username: mailboxUser, Password: d.s.Password}}
}

func (d *dovecot) tokens(t *testing.T) mailauth.Credentials {
	t.Helper()
	ts, err := mailauth.NewTokenSource(context.Background(), mailauth.OAuth2Config{
		TokenURL: d.oauth.URL + "/token", ClientID: oauthClientID, ClientSecret: oauthClientSecret,
		Scope: "https://outlook.office365.com/.default"})
	if err != nil {
		t.Fatal(err)
	}
	return mailauth.Credentials{Username: mailboxUser, Tokens: ts}
}

// deliver puts a message in the connector's INBOX over LMTP, as Postfix
// would; it is stored when this returns.
func (d *dovecot) deliver(t *testing.T, from string, raw []byte) {
	t.Helper()
	d.s.Deliver(t, from, mailboxUser, raw)
}

// client logs in to the connector mailbox for a look from outside.
func (d *dovecot) client(t *testing.T) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(d.s.IMAPAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(mailboxUser, d.s.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// count returns the number of messages in a mailbox (0 when it does not
// exist) and how many of them are not flagged \Deleted.
func (d *dovecot) count(t *testing.T, mailbox string) (all, live int) {
	t.Helper()
	return imaptest.Count(t, d.s.IMAPAddr, mailboxUser, d.s.Password, mailbox)
}

func (d *dovecot) exists(t *testing.T, mailbox string) bool {
	t.Helper()
	list, err := d.client(t).List("", mailbox, nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	return len(list) == 1
}

// appendAt stores a message with a chosen INTERNALDATE (the server's
// receipt time), as IMAP APPEND allows.
func (d *dovecot) appendAt(t *testing.T, c *imapclient.Client, raw []byte, received time.Time) {
	t.Helper()
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: received})
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("append: %v", err)
	}
}

// noOrphans fails when the spool holds a segment no submission refers to.
func noOrphans(t *testing.T, f *ingestFixture) {
	t.Helper()
	refs, err := f.st.SpoolSegments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(f.spool.Dir())
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), spool.SegmentSuffix) && !refs[e.Name()] {
			t.Errorf("spool keeps an orphaned segment %s", e.Name())
		}
	}
}

func TestDovecot(t *testing.T) {
	d := startDovecot(t)
	bounce, err := os.ReadFile("../inspect/testdata/bounce.eml")
	if err != nil {
		t.Fatal(err)
	}

	// Each way of connecting takes a mixed mailbox: an accepted file, a
	// first-time sender's held file, a sender not on the roster, and a
	// bounce.
	transports := []struct {
		name string
		srv  func(t *testing.T) Server
	}{
		{"plaintext", func(*testing.T) Server { return d.plain() }},
		{"STARTTLS", func(*testing.T) Server {
			s := d.plain()
			s.TLS, s.TLSConfig = TLSStart, d.s.TLSConfig()
			return s
		}},
		{"implicit TLS", func(*testing.T) Server {
			s := d.plain()
			s.Address, s.TLS, s.TLSConfig = d.s.IMAPSAddr, TLSImplicit, d.s.TLSConfig()
			return s
		}},
		{"XOAUTH2", func(t *testing.T) Server {
			s := d.plain()
			s.Address, s.TLS, s.TLSConfig = d.s.IMAPSAddr, TLSImplicit, d.s.TLSConfig()
			s.Creds = d.tokens(t)
			return s
		}},
	}
	for i, tc := range transports {
		t.Run(tc.name, func(t *testing.T) {
			if i == 0 && d.exists(t, "Processed") {
				t.Fatal("Processed exists before the first sync")
			}
			_, processedBefore := d.count(t, "Processed")
			introspected := d.oauth.introspections()
			f := d.fixture(t, tc.srv(t))

			msgs := []struct {
				from  string
				raw   []byte
				state string
			}{
				{"trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "today.csv", validCSV), store.StateAccepted},
				{"alice.smith@nhs.net", imaptest.Submission("alice.smith@nhs.net", "first.csv", validCSV), store.StateHeld},
				{"stranger@nhs.net", imaptest.Submission("stranger@nhs.net", "x.csv", validCSV), store.StateRejected},
				{"", bounce, store.StateIgnored},
			}
			before := time.Now().Truncate(time.Second)
			for _, m := range msgs {
				d.deliver(t, m.from, m.raw)
			}
			after := time.Now()

			out := f.sync(t)
			if len(out) != len(msgs) {
				t.Fatalf("took %d messages, want %d: %+v", len(out), len(msgs), out)
			}
			for i, o := range out {
				if o.State != msgs[i].state || o.SubmissionID == 0 {
					t.Errorf("uid %d from %s: %s (%s), want %s", o.UID, msgs[i].from, o.State, o.Reason, msgs[i].state)
				}
			}
			if !d.exists(t, "Processed") {
				t.Error("Processed was not created")
			}
			if all, _ := d.count(t, "INBOX"); all != 0 {
				t.Errorf("INBOX still holds %d messages", all)
			}
			if _, n := d.count(t, "Processed"); n != processedBefore+len(msgs) {
				t.Errorf("Processed holds %d messages, want %d", n, processedBefore+len(msgs))
			}
			if again := f.sync(t); len(again) != 0 {
				t.Errorf("second sync took %d messages, want none: %+v", len(again), again)
			}
			subs, err := f.st.Submissions(context.Background(), store.SubmissionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(subs) != len(msgs) {
				t.Errorf("%d submissions recorded, want %d", len(subs), len(msgs))
			}
			for _, s := range subs {
				// LMTP delivery: Dovecot's INTERNALDATE is the delivery time,
				// not the sender's Date header (3 Mar 2026).
				if s.ReceivedAt.Before(before) || s.ReceivedAt.After(after) {
					t.Errorf("submission %d received %s, want Dovecot's delivery time in [%s, %s]",
						s.ID, s.ReceivedAt, before, after)
				}
				if want := batchday.Of(s.ReceivedAt, london, 20*60); s.BatchDay != want {
					t.Errorf("submission %d batch day %s, want %s", s.ID, s.BatchDay, want)
				}
			}
			if n := len(f.outbox(t)); n != 4 {
				// ack to trusted; held notice and review notice for alice;
				// the roster refusal to stranger; nothing for the bounce.
				t.Errorf("outbox holds %d emails, want 4", n)
			}
			noOrphans(t, f)
			if tc.name == "XOAUTH2" && d.oauth.introspections() == introspected {
				t.Error("Dovecot never asked the introspection endpoint: not logged in with XOAUTH2")
			}
		})
	}

	// The batch day comes from the INTERNALDATE Dovecot reports: a second
	// before the cutoff is that day's batch, the cutoff itself the next
	// day's, in GMT, in BST and on both days the clocks change.
	// Every kind of message gets its disposition from real Dovecot too.
	t.Run("dispositions", func(t *testing.T) {
		for _, tc := range dispositionRuns(t) {
			t.Run(tc.name, func(t *testing.T) {
				f := d.fixture(t, d.plain())
				tc.setUp(f)
				d.appendAt(t, d.client(t), tc.raw, at("2026-03-03", "12:00:00"))
				checkDisposition(t, f, tc, f.sync(t))
				if _, live := d.count(t, "INBOX"); live != 0 {
					t.Errorf("message left in INBOX")
				}
			})
		}
	})

	t.Run("INTERNALDATE", func(t *testing.T) {
		f := d.fixture(t, d.plain())
		c := d.client(t)
		want := map[int64]string{} // batch day by INTERNALDATE (Unix seconds)
		for _, day := range []string{"2026-01-15", "2026-03-29", "2026-07-15", "2026-10-25"} {
			d, _ := time.Parse(time.DateOnly, day)
			want[at(day, "19:59:59").Unix()] = day
			want[at(day, "20:00:00").Unix()] = d.AddDate(0, 0, 1).Format(time.DateOnly)
		}
		for received := range want {
			d.appendAt(t, c, imaptest.Submission("trusted@nhs.net", "f.csv", validCSV), time.Unix(received, 0))
		}
		out := f.sync(t)
		if len(out) != len(want) {
			t.Fatalf("took %d messages, want %d", len(out), len(want))
		}
		subs, _ := f.st.Submissions(context.Background(), store.SubmissionFilter{})
		for _, s := range subs {
			day, ok := want[s.ReceivedAt.Unix()]
			if !ok {
				t.Errorf("submission %d received %s, not an INTERNALDATE we stored", s.ID, s.ReceivedAt)
				continue
			}
			if s.BatchDay != day || s.State != store.StateAccepted {
				t.Errorf("received %s: batch day %s (%s), want %s (accepted)",
					s.ReceivedAt.In(london).Format(time.DateTime+" MST"), s.BatchDay, s.State, day)
			}
		}
	})

	// With IDLE, a message delivered while the poller waits is taken at
	// once, long before the poll interval.
	t.Run("IDLE", func(t *testing.T) {
		f := d.fixture(t, d.plain())
		f.poller.PollInterval = time.Hour
		outcomes := make(chan Outcome, 10)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.poller.Run(ctx, func(o Outcome) { outcomes <- o }) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}()
		waitOutcome := func(file string) {
			t.Helper()
			deadline := time.NewTimer(20 * time.Second)
			defer deadline.Stop()
			select {
			case o := <-outcomes:
				if o.Filename != file || o.State != store.StateAccepted {
					t.Fatalf("got %+v, want %s accepted", o, file)
				}
			case <-deadline.C:
				t.Fatalf("%s not taken within 20 s (poll interval 1 h): IDLE did not wake the poller", file)
			}
		}
		// The first is taken by the first sync, or by IDLE if the poller
		// got there first; the second arrives while the poller idles.
		d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "one.csv", validCSV))
		waitOutcome("one.csv")
		d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "two.csv", validCSV))
		waitOutcome("two.csv")
		if st := f.poller.Status(); !st.Connected || st.Reconnects != 0 {
			t.Errorf("status %+v, want connected with no reconnects", st)
		}
	})

	// A token Dovecot's introspection refuses fails the login cleanly: the
	// sync reports it, the poller keeps running and logs in once the token
	// is good again.
	t.Run("XOAUTH2 refused", func(t *testing.T) {
		srv := d.plain()
		srv.Address, srv.TLS, srv.TLSConfig = d.s.IMAPSAddr, TLSImplicit, d.s.TLSConfig()
		srv.Creds = d.tokens(t)
		f := d.fixture(t, srv)
		d.oauth.refuse(true)
		defer d.oauth.refuse(false)
		d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "later.csv", validCSV))

		_, err := f.poller.SyncOnce(context.Background())
		if err == nil || !strings.Contains(err.Error(), "XOAUTH2") {
			t.Fatalf("sync with a refused token: got %v, want an XOAUTH2 error", err)
		}
		if st := f.poller.Status(); st.Connected || st.LastError == "" {
			t.Errorf("status %+v, want disconnected with the error", st)
		}
		if _, live := d.count(t, "INBOX"); live != 1 {
			t.Errorf("INBOX has %d messages, want the one untouched", live)
		}
		select {
		case <-d.oauth.refused: // that refusal, seen
		default:
		}

		outcomes := make(chan Outcome, 10)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.poller.Run(ctx, func(o Outcome) { outcomes <- o }) }()
		defer func() { cancel(); <-done }()
		// Let Run be refused once more, then make the token good.
		select {
		case <-d.oauth.refused:
		case o := <-outcomes:
			t.Fatalf("took %+v with a refused token", o)
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not try to log in within 30 s")
		}
		d.oauth.refuse(false)
		select {
		case o := <-outcomes:
			if o.Filename != "later.csv" || o.State != store.StateAccepted {
				t.Errorf("got %+v, want later.csv accepted", o)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("not taken within 30 s of the token becoming good; status %+v", f.poller.Status())
		}
		if st := f.poller.Status(); st.Reconnects == 0 || !st.Connected {
			t.Errorf("status %+v, want connected after at least one reconnect", st)
		}
	})

	// A token revoked at the identity provider (or issued before the
	// mailbox permission was granted) is dropped at its first refusal:
	// the next login fetches a fresh one, long before the old one expires.
	t.Run("XOAUTH2 token revoked", func(t *testing.T) {
		srv := d.plain()
		srv.Address, srv.TLS, srv.TLSConfig = d.s.IMAPSAddr, TLSImplicit, d.s.TLSConfig()
		srv.Creds = d.tokens(t)
		old, err := srv.Creds.Token()
		if err != nil {
			t.Fatal(err)
		}
		d.oauth.revoke(old)
		issued := d.oauth.tokensIssued()
		f := d.fixture(t, srv)
		d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "revoked.csv", validCSV))
		if _, err := f.poller.SyncOnce(context.Background()); err == nil || !strings.Contains(err.Error(), "XOAUTH2") {
			t.Fatalf("sync with a revoked token: got %v, want an XOAUTH2 error", err)
		}
		out := f.sync(t)
		if len(out) != 1 || out[0].Filename != "revoked.csv" || out[0].State != store.StateAccepted {
			t.Fatalf("second sync: got %+v, want revoked.csv accepted with a fresh token", out)
		}
		if n := d.oauth.tokensIssued() - issued; n != 1 {
			t.Errorf("%d tokens fetched after the refusal, want 1", n)
		}
	})

	// The connection drops after the batch is committed and before the
	// move: the next sync moves those messages without taking them again.
	t.Run("dropped before the move", func(t *testing.T) {
		f := d.fixture(t, d.plain())
		for _, name := range []string{"a.csv", "b.csv", "c.csv"} {
			d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", name, validCSV))
		}
		f.poller.AfterRecord = func() { f.poller.sess.c.Close() }
		if out, err := f.poller.SyncOnce(context.Background()); err == nil {
			t.Fatalf("sync with the connection dropped before the move: got %+v, want an error", out)
		}
		if _, live := d.count(t, "INBOX"); live != 3 {
			t.Fatalf("INBOX has %d messages after the drop, want all 3 still there", live)
		}
		f.poller.AfterRecord = nil
		if out := f.sync(t); len(out) != 0 {
			t.Errorf("second sync took %+v, want nothing new", out)
		}
		if all, _ := d.count(t, "INBOX"); all != 0 {
			t.Errorf("INBOX holds %d messages, want them moved", all)
		}
		if subs, _ := f.st.Submissions(context.Background(), store.SubmissionFilter{}); len(subs) != 3 {
			t.Errorf("%d submissions, want 3 (each once)", len(subs))
		}
		noOrphans(t, f)
	})

	// The connection is cut in the middle of a FETCH: nothing of that
	// batch is recorded or moved, and the next sync takes every message once.
	t.Run("cut mid-FETCH", func(t *testing.T) {
		big := validCSV + strings.Repeat("Bob,Jones,,RR8\r\n", 200)
		for i := range 5 {
			d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "f"+string(rune('1'+i))+".csv", big))
		}
		proxy := startCutProxy(t, d.s.IMAPAddr, 8000)
		srv := d.plain()
		srv.Address = proxy.ln.Addr().String()
		f := d.fixture(t, srv)
		f.poller.BatchSize = 5
		if out, err := f.poller.SyncOnce(context.Background()); err == nil {
			t.Fatalf("sync through a cut connection: got %+v, want an error", out)
		}
		if subs, _ := f.st.Submissions(context.Background(), store.SubmissionFilter{}); len(subs) != 0 {
			t.Fatalf("%d submissions recorded from a cut FETCH, want 0", len(subs))
		}
		noOrphans(t, f)
		if out := f.sync(t); len(out) != 5 {
			t.Fatalf("after reconnecting took %d messages, want 5", len(out))
		}
		if all, _ := d.count(t, "INBOX"); all != 0 {
			t.Errorf("INBOX holds %d messages, want none", all)
		}
	})

	// The nightly batch syncs while Run idles: its SyncOnce is served by
	// Run at once (not after the poll interval), on Run's connection, and
	// each message is taken once.
	t.Run("SyncOnce while Run idles", func(t *testing.T) {
		f := d.fixture(t, d.plain())
		f.poller.PollInterval = time.Hour
		outcomes := make(chan Outcome, 10)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.poller.Run(ctx, func(o Outcome) { outcomes <- o }) }()
		defer func() { cancel(); <-done }()
		d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "one.csv", validCSV))
		select {
		case <-outcomes: // Run took it and is now waiting
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not take the first message")
		}
		d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "two.csv", validCSV))
		type result struct {
			out []Outcome
			err error
		}
		results := make(chan result, 2)
		for range 2 {
			go func() {
				sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				out, err := f.poller.SyncOnce(sctx)
				results <- result{out, err}
			}()
		}
		var viaSync []Outcome
		for range 2 {
			r := <-results
			if r.err != nil {
				t.Fatalf("SyncOnce while Run runs: %v", r.err)
			}
			viaSync = append(viaSync, r.out...)
		}
		// two.csv is taken once: by a requested sync, or by IDLE just before.
		var got Outcome
		select {
		case got = <-outcomes:
		case <-time.After(20 * time.Second):
			t.Fatal("two.csv was not taken")
		}
		if got.Filename != "two.csv" || (len(viaSync) > 0 && (len(viaSync) != 1 || viaSync[0] != got)) {
			t.Errorf("Run reported %+v and the syncs returned %+v; want two.csv once", got, viaSync)
		}
		if subs, _ := f.st.Submissions(context.Background(), store.SubmissionFilter{}); len(subs) != 2 {
			t.Errorf("%d submissions, want 2", len(subs))
		}
	})

	// Two pollers on one data directory (connectord poll -once beside
	// connectord serve) take turns through the spool's lock: neither
	// removes the other's segment as an orphan, and each message is
	// recorded once.
	t.Run("two pollers, one spool", func(t *testing.T) {
		f := d.fixture(t, d.plain())
		f.poller.BatchSize = 2
		other := &Poller{Server: f.poller.Server, Recorder: f.poller.Recorder, Mailbox: "INBOX", Processed: "Processed",
			BatchSize: 2, PollInterval: time.Minute, Log: f.poller.Log, Now: f.poller.Now}
		t.Cleanup(other.Close)
		for i := range 6 {
			d.deliver(t, "trusted@nhs.net", imaptest.Submission("trusted@nhs.net", "f"+string(rune('1'+i))+".csv", validCSV))
		}
		type result struct {
			out []Outcome
			err error
		}
		results := make(chan result, 2)
		for _, p := range []*Poller{f.poller, other} {
			go func() {
				out, err := p.SyncOnce(context.Background())
				results <- result{out, err}
			}()
		}
		taken := 0
		for range 2 {
			r := <-results
			if r.err != nil {
				t.Errorf("sync: %v", r.err)
			}
			for _, o := range r.out {
				if o.State != Duplicate {
					taken++
				}
			}
		}
		if taken != 6 {
			t.Errorf("the pollers took %d messages between them, want 6", taken)
		}
		if subs, _ := f.st.Submissions(context.Background(), store.SubmissionFilter{}); len(subs) != 6 {
			t.Errorf("%d submissions, want 6", len(subs))
		}
		if all, _ := d.count(t, "INBOX"); all != 0 {
			t.Errorf("INBOX holds %d messages, want none", all)
		}
		noOrphans(t, f)
	})
}
