package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	for range 2 {
		st, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		var v int
		if err := st.db.QueryRow(`SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != SchemaVersion() {
			t.Errorf("schema version: got %d, want %d", v, SchemaVersion())
		}
		st.Close()
	}
}

func TestPragmas(t *testing.T) {
	sqliteOnly(t)
	st := openTest(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := st.db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s: got %s, want %s", pragma, got, want)
		}
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec(`INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	openNew := func(ctx context.Context, path string) (*Store, error) { return Open(ctx, path) }
	for name, open := range map[string]func(context.Context, string) (*Store, error){"Open": openNew, "OpenExisting": OpenExisting} {
		_, err := open(context.Background(), path)
		if err == nil || !strings.Contains(err.Error(), "newer than this connectord") {
			t.Errorf("%s: got %v, want a refusal naming the newer schema", name, err)
		}
	}
}

// A database made by the first schema, frozen in testdata, upgrades to the
// current one and keeps its rows.
func TestUpgradesFirstSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
		ms[0].sql,
		`INSERT INTO schema_migrations VALUES (1, '` + ms[0].name + `', '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO organisations (code, name, creation_limit) VALUES ('RR8', 'Leeds', 5)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	orgs, err := st.Organisations(context.Background())
	if err != nil || len(orgs) != 1 || orgs[0].Code != "RR8" {
		t.Fatalf("after upgrade: got %v, %v; want RR8 kept", orgs, err)
	}
}

func TestSenders(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if err := st.PutSender(ctx, "a@nhs.net", []string{"RR8"}, "test", now); !errors.Is(err, ErrUnknownOrganisation) {
		t.Fatalf("unknown org: got %v, want ErrUnknownOrganisation", err)
	}
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8", CreationLimit: 1}, {Code: "X26"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSender(ctx, " A@NHS.net", []string{"X26", "RR8"}, "test", now); err != nil {
		t.Fatal(err)
	}
	s, err := st.Sender(ctx, "a@nhs.net")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Orgs, ","); got != "RR8,X26" || !s.MayActFor("RR8") || s.MayActFor("ZZZ") {
		t.Errorf("orgs: got %q, want RR8,X26", got)
	}
	if err := st.PutSender(ctx, "a@nhs.net", []string{"X26"}, "test", now); err != nil {
		t.Fatal(err)
	}
	if s, _ = st.Sender(ctx, "a@nhs.net"); strings.Join(s.Orgs, ",") != "X26" {
		t.Errorf("after re-add: got %v, want X26 only", s.Orgs)
	}
	if err := st.RemoveSender(ctx, "a@nhs.net", "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Sender(ctx, "a@nhs.net"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after remove: got %v, want ErrNotFound", err)
	}
	if err := st.RemoveSender(ctx, "a@nhs.net", "test", time.Now()); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove twice: got %v, want ErrNotFound", err)
	}
	// Each change that took effect left one audit row, written with it;
	// the refused ones (unknown organisation, removing twice) left none.
	audit, err := st.ConsoleAuditLog(ctx, ConsoleAuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range audit {
		got = append(got, a.Action+" "+a.Subject+": "+a.Detail)
	}
	want := []string{
		"roster-remove a@nhs.net: was allowed for X26",
		"roster-put a@nhs.net: organisations X26 (before: RR8, X26)",
		"roster-put a@nhs.net: organisations X26, RR8 (before: not on the roster)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The roster and the trusted senders fold ASCII letters only: the Kelvin
// sign (U+212A), which Unicode lower-cases to k, never finds kelvin@nhs.net.
func TestSenderLookalikes(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSender(ctx, "Kelvin@NHS.net", []string{"RR8"}, "test", now); err != nil {
		t.Fatal(err)
	}
	const lookalike = "\u212aelvin@nhs.net"
	if _, err := st.Sender(ctx, lookalike); !errors.Is(err, ErrNotFound) {
		t.Errorf("Sender(%q): got %v, want ErrNotFound", lookalike, err)
	}
	err := st.InTx(ctx, func(tx *Tx) error {
		if _, ok, err := tx.RosterSender(lookalike); err != nil || ok {
			t.Errorf("RosterSender(%q): got %v %v, want not on the roster", lookalike, ok, err)
		}
		if err := tx.Trust("kelvin@nhs.net", "test", 0, now); err != nil {
			return err
		}
		if ok, err := tx.IsTrusted(lookalike); err != nil || ok {
			t.Errorf("IsTrusted(%q): got %v %v, want false", lookalike, ok, err)
		}
		if ok, err := tx.IsTrusted("KELVIN@nhs.net"); err != nil || !ok {
			t.Errorf("IsTrusted(KELVIN@nhs.net): got %v %v, want true", ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveSender(ctx, lookalike, "test", now); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveSender(%q): got %v, want ErrNotFound", lookalike, err)
	}
}

func TestNameKey(t *testing.T) {
	tests := []struct{ first, last, want string }{
		{"José", "Núñez", "jose|nunez"},
		{"  MARY   Ann ", "o'brien", "mary ann|o'brien"},
		{"Zoë", "", "zoe|"},
	}
	for _, tc := range tests {
		if got := NameKey(tc.first, tc.last); got != tc.want {
			t.Errorf("NameKey(%q, %q): got %q, want %q", tc.first, tc.last, got, tc.want)
		}
	}
}

func TestDirectoryTx(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	if err := st.PutOrganisations(ctx, []Organisation{{Code: "RR8", CreationLimit: 3}}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := &Mailbox{Address: "jo.bloggs@nhs.net", Org: "RR8", Kind: KindMailbox, FirstName: "Jo", LastName: "Bloggs", EmailSize: 4}
	if err := tx.Insert(m, now); err != nil {
		t.Fatal(err)
	}
	if addr, ok, err := tx.NameMatch("RR8", NameKey("JO", "bloggs")); err != nil || !ok || addr != m.Address {
		t.Errorf("NameMatch: got %q %v %v, want %s", addr, ok, err, m.Address)
	}
	if err := tx.AddCreated("RR8", 2); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.CountMailboxes(ctx); n != 0 {
		t.Errorf("after rollback: %d mailboxes, want 0", n)
	}
	orgs, _ := st.Organisations(ctx)
	if orgs[0].Created != 0 {
		t.Errorf("after rollback: created %d, want 0", orgs[0].Created)
	}
}

// Flush fsyncs what is committed; it works on a fresh database and after
// writes.
func TestFlush(t *testing.T) {
	st := openTest(t)
	if err := st.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := st.PutOrganisations(context.Background(), []Organisation{{Code: "RR8"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Flush(); err != nil {
		t.Fatal(err)
	}
}

// The two databases' migrations have the same versions and names, so a
// version means the same schema on both.
func TestMigrationSetsMatch(t *testing.T) {
	lite, err := migrations(dialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations(dialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("SQLite has %d migrations, PostgreSQL %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d: SQLite %s, PostgreSQL %s", i+1, lite[i].name, pg[i].name)
		}
	}
}

func TestRebindPlaceholders(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`a = ? AND b = ?`, `a = $1 AND b = $2`},
		{`k > ?1 LIMIT ?2 AND x <= ?3`, `k > $1 LIMIT $2 AND x <= $3`},
		{`x LIKE '?%' AND y = ?`, `x LIKE '?%' AND y = $1`},
		{`x = 'it''s ?' AND "q?" = ?`, `x = 'it''s ?' AND "q?" = $1`},
		{"-- why?\nSELECT ?", "-- why?\nSELECT $1"},
		{`a - ? - 1`, `a - $1 - 1`},
	} {
		if got := rebindPlaceholders(tc.in); got != tc.want {
			t.Errorf("rebind %q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}
