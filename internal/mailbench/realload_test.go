package mailbench

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectord/ingest"
	"connectord/inspect"
	"connectord/internal/imaptest"
	"connectord/mailauth"
	"connectord/pushfile"
	"connectord/spool"
	"connectord/store"
)

// The real load runs the whole path for every message: each is
// authenticated, from a trusted sender, on one batch day, so each but a
// sender's last is superseded and every one is acknowledged.
func TestRealLoadRunsTheWholePath(t *testing.T) {
	for _, tc := range []struct {
		name                         string
		load                         Load
		accepted, superseded, held   int
		acks, heldNotices, reviewers int
	}{
		{"real", RealLoad(250), 100, 150, 0, 250, 0, 0},
		{"easy", EasyLoad(100), 50, 0, 50, 50, 50, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			if _, err := tc.load.WriteMaildir(filepath.Join(dir, "Maildir")); err != nil {
				t.Fatal(err)
			}
			srv := imaptest.Start(t, nil)
			appendAll(t, srv, filepath.Join(dir, "Maildir"))
			st := newPollerStore(t, tc.load)
			out, err := newPoller(t, st, srv.Addr, dir).SyncOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != tc.load.Messages {
				t.Fatalf("took %d messages, want %d", len(out), tc.load.Messages)
			}
			count := func(state string) int {
				subs, err := st.Submissions(ctx, store.SubmissionFilter{State: state, Limit: 1 << 20})
				if err != nil {
					t.Fatal(err)
				}
				return len(subs)
			}
			days := map[string]bool{}
			all, err := st.Submissions(ctx, store.SubmissionFilter{Limit: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range all {
				days[s.BatchDay] = true
			}
			if tc.load.SameDay && len(days) != 1 {
				t.Errorf("batch days %v, want one", days)
			}
			for _, c := range []struct {
				state     string
				got, want int
			}{
				{store.StateAccepted, count(store.StateAccepted), tc.accepted},
				{store.StateSuperseded, count(store.StateSuperseded), tc.superseded},
				{store.StateHeld, count(store.StateHeld), tc.held},
				{store.StateRejected, count(store.StateRejected), 0},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %d, want %d", c.state, c.got, c.want)
				}
			}
			mail, err := st.Outbox(ctx, store.OutboxFilter{Limit: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, m := range mail {
				kinds[m.Kind]++
			}
			if kinds[store.MailAck] != tc.acks || kinds[store.MailHeld] != tc.heldNotices || kinds[store.MailReview] != tc.reviewers {
				t.Errorf("outbox %v, want %d acknowledgements, %d held notices, %d reviewer notices", kinds, tc.acks, tc.heldNotices, tc.reviewers)
			}
		})
	}
}

func newPollerStore(t testing.TB, l Load) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), store.MessageIDDomain("nhs.net"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := l.Roster(context.Background(), st, time.Now()); err != nil {
		t.Fatal(err)
	}
	return st
}

// newPoller is connectord's poller with the configuration's defaults.
func newPoller(t testing.TB, st *store.Store, addr, dir string) *ingest.Poller {
	t.Helper()
	sp, err := spool.Open(filepath.Join(dir, "spool"))
	if err != nil {
		t.Fatal(err)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	policy := inspect.DefaultPolicy()
	policy.TrustedAuthservIDs = []string{"mx.nhs.net"}
	policy.OwnAddresses = []string{imaptest.User}
	p := &ingest.Poller{
		Server: ingest.Server{Address: addr, TLS: ingest.TLSNone, Timeout: 10 * time.Second,
			Creds: mailauth.Credentials{Username: imaptest.User, Password: imaptest.Password}},
		Recorder: &ingest.Recorder{Store: st, Spool: sp, Log: log, Rules: ingest.Rules{
			Mailbox: "INBOX", Policy: policy, Location: london, Cutoff: 20 * 60,
			Reviewers: []string{"support@nhs.net"},
			// As connectord's: the pick lists and the registry, once a
			// batch (without pick lists the reader loads the built-in
			// ones for every file, which connectord never does).
			ReadOptions: func(ctx context.Context) (pushfile.Options, error) {
				lists, err := pushfile.LoadPicklists(pushfile.PicklistPaths{})
				if err != nil {
					return pushfile.Options{}, err
				}
				reg, err := st.Registry(ctx)
				return pushfile.Options{Registry: reg, Picklists: lists}, err
			},
		}},
		Mailbox: "INBOX", Processed: "Processed", BatchSize: 200, PollInterval: time.Minute, Log: log,
	}
	t.Cleanup(p.Close)
	return p
}

// appendAll puts every message of a written Maildir on the server, with
// its receipt time.
func appendAll(t testing.TB, srv *imaptest.Server, maildir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(maildir, "cur"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(maildir, "cur", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		srv.Append(t, raw, info.ModTime())
	}
}

// BenchmarkSync is scripts/bench-ingest.sh's real load at 1,000 messages
// against the in-memory IMAP server: poll -once's work (spool and fsync,
// classify, read each CSV, record with its acknowledgement, supersede,
// move) without Dovecot's. Each iteration takes a fresh mailbox into a
// fresh database.
func BenchmarkSync(b *testing.B) {
	const n = 1000
	maildir := filepath.Join(b.TempDir(), "Maildir")
	if _, err := RealLoad(n).WriteMaildir(maildir); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		srv := imaptest.Start(b, nil)
		appendAll(b, srv, maildir)
		p := newPoller(b, newPollerStore(b, RealLoad(n)), srv.Addr, b.TempDir())
		b.StartTimer()
		out, err := p.SyncOnce(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if len(out) != n {
			b.Fatalf("took %d messages, want %d", len(out), n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n*b.N), "µs/msg")
}
