package pgtest

import (
	"context"
	_ "embed"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

//go:embed testdata/store_schema.sql
var storeSchema string

// migrate is a template's setup: the store-sized schema.
func migrate(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, storeSchema)
	return err
}

func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func count(t testing.TB, conn *pgx.Conn, q string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Each test gets its own copy of the template: what one writes the other
// never sees, and setup runs once for both.
func TestDatabaseIsFreshCopyOfTemplate(t *testing.T) {
	var setups atomic.Int32
	setup := func(ctx context.Context, url string) error {
		setups.Add(1)
		return migrate(ctx, url)
	}
	var dbs []DB
	for range 2 {
		db := Database(t, WithTemplate("fresh", setup))
		conn := connect(t, db.URL)
		if got := count(t, conn, `SELECT count(*) FROM mailboxes`); got != 0 {
			t.Fatalf("%s: got %d mailboxes, want 0", db.Name, got)
		}
		if got := count(t, conn, `SELECT max(version) FROM schema_migrations`); got != 5 {
			t.Errorf("%s: schema version %d, want 5 from the template", db.Name, got)
		}
		if _, err := conn.Exec(context.Background(), `INSERT INTO organisations (code) VALUES ('RR8')`); err != nil {
			t.Fatalf("%s: the login role cannot write its database: %v", db.Name, err)
		}
		dbs = append(dbs, db)
	}
	if dbs[0].Name == dbs[1].Name {
		t.Fatalf("both tests got database %s", dbs[0].Name)
	}
	if got := setups.Load(); got != 1 {
		t.Errorf("setup ran %d times, want once", got)
	}
}

func TestDatabaseIsDroppedAfterTheTest(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) { name = Database(t).Name })
	admin := connect(t, Shared(t).AdminURL)
	if got := count(t, admin, `SELECT count(*) FROM pg_database WHERE datname = '`+name+`'`); got != 0 {
		t.Errorf("database %s still there after its test", name)
	}
}

func TestTemplateSetupErrorFailsClearly(t *testing.T) {
	s := Shared(t)
	_, err := s.template("broken", func(context.Context, string) error { return errors.New("no migrations") })
	if err == nil || err.Error() != "set up: no migrations" {
		t.Errorf("got %v, want the setup's error", err)
	}
	if _, err := s.template("Bad-Name", migrate); err == nil {
		t.Error("template name Bad-Name: got no error")
	}
}

// A private server stops (sessions end with an error at once), refuses
// connections while down, and comes back on the same port with its data.
func TestStopAndRestart(t *testing.T) {
	s := Start(t)
	db := s.Database(t)
	conn := connect(t, db.URL)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	s.Stop(t)
	if err := conn.Ping(ctx); err == nil {
		t.Fatal("ping after stop: got no error")
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if c, err := pgx.Connect(cctx, db.URL); err == nil {
		c.Close(ctx)
		t.Fatal("connect while stopped: got a connection")
	}
	s.Restart(t)
	if got := count(t, connect(t, db.URL), `SELECT n FROM kept`); got != 7 {
		t.Errorf("after restart: got %d, want 7", got)
	}
}

func TestSharedServerCannotBeStopped(t *testing.T) {
	s := Shared(t)
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { recover() }()
		s.Stop(ft)
	}()
	if !ft.fatal {
		t.Error("Stop on the shared server: got no failure")
	}
}

// fatalRecorder records a Fatal instead of ending the test.
type fatalRecorder struct {
	testing.TB
	fatal bool
}

func (f *fatalRecorder) Fatal(args ...any) { f.fatal = true; panic("fatal") }

func TestTerminate(t *testing.T) {
	db := Database(t)
	cfg, err := pgx.ParseConfig(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["application_name"] = "pgtest-victim"
	ctx := context.Background()
	victim, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close(ctx)
	bystander := connect(t, db.URL)
	if n := Shared(t).Terminate(t, "pgtest-victim"); n != 1 {
		t.Fatalf("terminated %d sessions, want 1", n)
	}
	err = victim.Ping(ctx)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57P01" {
		t.Errorf("victim after terminate: got %v, want admin_shutdown (57P01)", err)
	}
	if err := bystander.Ping(ctx); err != nil {
		t.Errorf("another session: %v", err)
	}
}
