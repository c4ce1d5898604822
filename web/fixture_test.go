package web

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectord/batchday"
	"connectord/ingest"
	"connectord/inspect"
	"connectord/internal/imaptest"
	"connectord/mailauth"
	"connectord/provision"
	"connectord/pushfile"
	"connectord/scheduler"
	"connectord/spool"
	"connectord/store"
)

// The accounts every fixture has, all with testPassword.
const (
	reviewerName = "rita"
	operatorName = "oscar"
	testPassword = "correct horse battery"
	reviewers    = "support@nhs.net"
)

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// testHash is the one argon2id hash of testPassword the accounts share
// (hashing is slow on purpose).
var testHash = sync.OnceValue(func() string {
	h, err := HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// fixture is the console served on loopback over a temporary store, with
// the in-memory IMAP server and a poller feeding it, as connectord serve
// wires them.
type fixture struct {
	st     *store.Store
	imap   *imaptest.Server
	poller *ingest.Poller
	batch  *scheduler.Batch
	srv    *Server
	url    string
	clock  atomic.Int64 // the time every component sees, Unix nanoseconds
	day    string       // the batch day a run now processes; files arrive at its noon
	wakes  atomic.Int32
	ran    atomic.Int32 // nights the console ran, as Deps.Ran was told
}

func (f *fixture) now() time.Time { return time.Unix(0, f.clock.Load()).UTC() }

func (f *fixture) setNow(t time.Time) { f.clock.Store(t.UnixNano()) }

// newFixture serves the console; opts change its configuration first.
func newFixture(t *testing.T, opts ...func(*Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "connectord.db"), store.MessageIDDomain("nhs.net"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st}
	// The real time (a night records when it finished with the real
	// clock), and the batch day a run now would process.
	f.setNow(time.Now().Truncate(time.Second))
	f.day = batchday.Closed(f.now(), london, 20*60)
	if err := st.PutOrganisations(ctx, []store.Organisation{
		{Code: "RR8", Name: "Leeds Teaching Hospitals NHS Trust", CreationLimit: 50, Units: []string{"RR801", "RR813"}},
		{Code: "X26", Name: "NHS England", CreationLimit: 10},
		{Code: "A81001", Name: "The Densham Surgery", CreationLimit: 5},
	}); err != nil {
		t.Fatal(err)
	}
	for addr, orgs := range map[string][]string{
		"alice.smith@nhs.net": {"RR8"},
		"bob.jones@nhs.net":   {"A81001"},
	} {
		if err := st.PutSender(ctx, addr, orgs, "test", f.now()); err != nil {
			t.Fatal(err)
		}
	}
	dtx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := dtx.Put(&store.Mailbox{Address: "ben.smith@nhs.net", LocalID: "N2", Org: "RR8", Kind: store.KindMailbox,
		FirstName: "Ben", LastName: "Smith", JobTitle: "Registrar", EmailSize: 4}, f.now()); err != nil {
		t.Fatal(err)
	}
	if err := dtx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, u := range []store.ConsoleUser{
		{Name: reviewerName, Role: store.RoleReviewer}, {Name: "tess", Role: store.RoleReviewer},
		{Name: operatorName, Role: store.RoleOperator},
	} {
		u.PasswordHash, u.CreatedAt = testHash(), f.now()
		if err := st.AddConsoleUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}

	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sp, err := spool.Open(filepath.Join(dir, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	policy := inspect.Policy{OwnAddresses: []string{imaptest.User}, LoopHeader: "X-Connectord-Loop",
		AllowedDomains: []string{"nhs.net"}, RequireAuthenticatedSender: true,
		TrustedAuthservIDs: []string{"mx.nhs.net"}, MaxAttachmentBytes: 1 << 20}
	readOptions := func(ctx context.Context) (pushfile.Options, error) {
		reg, err := st.Registry(ctx)
		return pushfile.Options{Registry: reg}, err
	}
	f.imap = imaptest.Start(t, imaptest.CapsMove)
	f.poller = &ingest.Poller{
		Server: ingest.Server{Address: f.imap.Addr, TLS: ingest.TLSNone,
			Creds: mailauth.Credentials{Username: imaptest.User, Password: imaptest.Password}, Timeout: 5 * time.Second},
		Recorder: &ingest.Recorder{Store: st, Spool: sp, Log: log, Rules: ingest.Rules{
			Mailbox: "INBOX", Policy: policy, Location: london, Cutoff: 20 * 60, Reviewers: []string{reviewers},
			ReadOptions: readOptions,
		}},
		Mailbox: "INBOX", Processed: "Processed", BatchSize: 10, PollInterval: time.Minute, Log: log,
		Now: f.now,
	}
	t.Cleanup(f.poller.Close)
	f.batch = &scheduler.Batch{
		Store: st, Spool: sp, Policy: policy,
		Processor:   &provision.Processor{Domain: "nhs.net", Log: log},
		ReadOptions: readOptions, DataDir: dir,
		Sync:        func(ctx context.Context) error { _, err := f.poller.SyncOnce(ctx); return err },
		SyncTimeout: 5 * time.Second, Holder: "test:1", Alive: func(string) bool { return false }, Log: log,
	}
	cfg := DefaultConfig()
	cfg.MaxUploadBytes = 64 << 10
	cfg.TempDir = dir
	for _, o := range opts {
		o(&cfg)
	}
	f.srv, err = New(Deps{
		Store: st, Review: &ingest.Review{Store: st}, Batch: f.batch,
		ReadOptions: readOptions, WakeMail: func() { f.wakes.Add(1) }, Ran: func(store.BatchRun) { f.ran.Add(1) },
		Location: london, Cutoff: 20 * 60,
		Log: log, Now: f.now,
	}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.url = "http://" + ln.Addr().String()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(sctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return f
}

// deliver puts a submission in the mailbox, received at noon on the
// fixture's batch day, and has the poller take it.
func (f *fixture) deliver(t *testing.T, from, filename, csv string) ingest.Outcome {
	t.Helper()
	noon, err := time.ParseInLocation("2006-01-02 15:04", f.day+" 12:00", london)
	if err != nil {
		t.Fatal(err)
	}
	f.imap.Append(t, imaptest.Submission(from, filename, csv), noon)
	out, err := f.poller.SyncOnce(context.Background())
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	if len(out) != 1 {
		t.Fatalf("poll took %d messages, want 1: %+v", len(out), out)
	}
	return out[0]
}

// held delivers a first file from a roster sender and checks it is held.
func (f *fixture) held(t *testing.T, from, filename, csv string) int64 {
	t.Helper()
	o := f.deliver(t, from, filename, csv)
	if o.State != store.StateHeld {
		t.Fatalf("%s from %s: %s (%s), want held", filename, from, o.State, o.Reason)
	}
	return o.SubmissionID
}

func (f *fixture) submission(t *testing.T, id int64) store.Submission {
	t.Helper()
	s, err := f.st.Submission(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) mail(t *testing.T, id int64, kind string) []store.OutboxMessage {
	t.Helper()
	all, err := f.st.Outbox(context.Background(), store.OutboxFilter{SubmissionID: id})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxMessage
	for _, m := range all {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// pushCSV is a held file with one row of each kind the preview shows.
const pushCSV = "FirstName,LastName,Local ID,Organisation,JobTitle\r\n" +
	"Ann,Other,N1,RR8,Nurse\r\n" + // PROCESSED_NEW
	"Ben,Smith,N2,RR8,Consultant\r\n" + // PROCESSED_UPDATED (was Registrar)
	"Cat,Jones,N3,X26,Porter\r\n" + // ACCESS_DENIED: alice is not a connector for X26
	"Dan,,N4,RR8,Clerk\r\n" // INVALID: LastName is required

// badCSV has problems the validate page lists line by line.
const badCSV = "FirstName,LastName,Local ID,Organisation,EmailSize\r\n" +
	"Ann,Other,N1,RR8,4\r\n" +
	",Smith,N2,RR8,4\r\n" +
	"Cat,Jones,N3,ZZZ9,200\r\n"

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
