package ldapdirectory

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/activedirectory"
	"connectord/directoryfile"
	"connectord/internal/sambatest"
	"connectord/provision"
	"connectord/pushfile"
	"connectord/store"

	"github.com/go-ldap/ldap/v3"
)

// dcs is the package's Samba DC; each test works in an OU of its own.
var dcs sambatest.Shared

func TestMain(m *testing.M) { os.Exit(dcs.Run(m)) }

var testNow = time.Date(2026, 11, 25, 20, 30, 0, 0, time.UTC)

// testAttributes maps four of the fields without a standard attribute
// onto ones in Samba's schema; EmailSize stays unmapped, kept in the store.
var testAttributes = map[string]string{
	"OrganisationUnit":   "department",
	"ClinicalRole":       "employeeType",
	"ClinicalSpeciality": "division",
	"WorkArea":           "physicalDeliveryOfficeName",
}

// fixture is a DC with an OU of the test's own, the Active Directory
// configuration over it, and a store with the sample organisations and
// sender.
type fixture struct {
	dc     *sambatest.DC
	ou     string
	tag    string // unique in the DC's life
	domain string // the test's mail domain: AD keeps UPNs unique domain-wide
	cfg    activedirectory.Config
	admin  *ldap.Conn
	st     *store.Store
	sender store.Sender
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dc := dcs.DC(t)
	f := &fixture{dc: dc, ou: dc.OU(t), admin: dc.Conn(t)}
	rdn := f.ou[:strings.IndexByte(f.ou, ',')]
	f.tag = rdn[strings.LastIndexByte(rdn, '-')+1:]
	f.domain = "t" + f.tag + ".nhs.net"
	f.cfg = activedirectory.Config{URL: dc.LDAPSURL, CAFile: dc.CAFile, BindDN: dc.BindDN, PasswordFile: dc.PasswordFile,
		BaseDN: f.ou, OrganisationDN: "OU={organisation}," + f.ou, Attributes: testAttributes, Timeout: time.Minute}
	f.st = newStore(t)
	sender, err := f.st.Sender(context.Background(), "admin.leeds@nhs.net")
	if err != nil {
		t.Fatal(err)
	}
	f.sender = sender
	return f
}

// newStore is a store with the sample organisations and sender.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	orgFile, err := os.Open("../testdata/organisations.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer orgFile.Close()
	orgs, err := directoryfile.ReadOrganisations(orgFile, "organisations.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutOrganisations(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSender(ctx, "admin.leeds@nhs.net", []string{"RR8", "A81001"}, "test", testNow); err != nil {
		t.Fatal(err)
	}
	return st
}

// dial connects as the service account (the DC's Administrator here).
func (f *fixture) dial(t *testing.T) *activedirectory.Client {
	t.Helper()
	c, err := activedirectory.Dial(context.Background(), f.cfg, testLog(t))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// apply runs one file against AD, committing the store's part, and
// returns its results file.
func (f *fixture) apply(t *testing.T, file []byte, dryRun bool) (string, provision.Summary) {
	t.Helper()
	return applyTo(t, f.st, f.sender, f.domain, file, dryRun, func(tx *store.DirectoryTx) provision.Directory {
		return New(f.dial(t), tx, Options{ReadOnly: dryRun, Log: testLog(t)})
	})
}

// applyTo runs one file through the directory dir makes, with a fixed
// random stream, committing unless dryRun.
func applyTo(t *testing.T, st *store.Store, sender store.Sender, domain string, file []byte, dryRun bool,
	dir func(*store.DirectoryTx) provision.Directory) (string, provision.Summary) {
	t.Helper()
	ctx := context.Background()
	reg, err := st.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var out bytes.Buffer
	p := &provision.Processor{Domain: domain, Rand: rand.NewChaCha8([32]byte{1})}
	sum, err := p.Apply(ctx, dir(tx), provision.File{Name: "push.csv", Data: bytes.NewReader(file), Read: pushfile.Options{Registry: reg}},
		provision.Job{Sender: sender, Now: testNow, DryRun: dryRun, Results: &out})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !dryRun {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return out.String(), sum
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

var _ io.Writer = testWriter{}
