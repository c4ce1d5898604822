package ingest

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/inspect"
	"connectord/internal/imaptest"
	"connectord/internal/storetest"
	"connectord/mailauth"
	"connectord/pushfile"
	"connectord/spool"
	"connectord/store"
)

const (
	mailboxUser = imaptest.User
	mailboxPass = imaptest.Password
	reviewer    = "support@nhs.net"
)

// ingestFixture is a store with the sample roster (alice.smith@nhs.net,
// and trusted@nhs.net and kate.kirk@nhs.net whose files were approved before), a spool and a poller
// pointed at an IMAP server.
type ingestFixture struct {
	st     *store.Store
	spool  *spool.Spool
	poller *Poller
	now    time.Time
}

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

func newIngestFixture(t *testing.T, addr string) *ingestFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st := storetest.Open(t, store.MessageIDDomain("nhs.net"))
	if err := st.PutOrganisations(ctx, []store.Organisation{{Code: "RR8", CreationLimit: 10}, {Code: "X26", CreationLimit: 10}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"alice.smith@nhs.net", "trusted@nhs.net", "kate.kirk@nhs.net"} {
		if err := st.PutSender(ctx, s, []string{"RR8"}, "test", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for _, s := range []string{"trusted@nhs.net", "kate.kirk@nhs.net"} {
			if err := tx.Trust(s, "test", 0, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sp := storetest.Spool(t, st, filepath.Join(dir, "spool"))
	f := &ingestFixture{st: st, spool: sp, now: time.Date(2026, 3, 3, 21, 0, 0, 0, time.UTC)}
	logger := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	f.poller = &Poller{
		Server: Server{Address: addr, TLS: TLSNone, Creds: mailauth.Credentials{Username: mailboxUser, Password: mailboxPass},
			Timeout: 5 * time.Second},
		Recorder: &Recorder{Store: st, Spool: sp, Log: logger, Rules: Rules{
			Mailbox: "INBOX",
			Policy: inspect.Policy{OwnAddresses: []string{mailboxUser}, LoopHeader: "X-Connectord-Loop",
				AllowedDomains: []string{"nhs.net"}, RequireAuthenticatedSender: true,
				TrustedAuthservIDs: []string{"mx.nhs.net"}, MaxAttachmentBytes: 20 << 20},
			Location: london, Cutoff: 20 * 60, Reviewers: []string{reviewer},
			ReadOptions: func(ctx context.Context) (pushfile.Options, error) {
				reg, err := st.Registry(ctx)
				return pushfile.Options{Registry: reg}, err
			},
		}},
		Mailbox: "INBOX", Processed: "Processed", BatchSize: 3, PollInterval: time.Minute, Log: logger,
		Now: func() time.Time { return f.now },
	}
	t.Cleanup(f.poller.Close)
	return f
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (f *ingestFixture) sync(t *testing.T) []Outcome {
	t.Helper()
	out, err := f.poller.SyncOnce(context.Background())
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return out
}

func (f *ingestFixture) outbox(t *testing.T) []store.OutboxMessage {
	t.Helper()
	m, err := f.st.Outbox(context.Background(), store.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const validCSV = "FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n"

// at is a London wall-clock time on a day.
func at(day string, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", day+" "+clock, london)
	if err != nil {
		panic(err)
	}
	return t
}
