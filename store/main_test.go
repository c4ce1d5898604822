package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"connectord/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestStoreEnv chooses the database the store's tests run on:
// CONNECTORD_TEST_STORE=postgres runs them on PostgreSQL (a fresh database
// per test, copied from a migrated template), anything else on SQLite.
const TestStoreEnv = "CONNECTORD_TEST_STORE"

func onPostgres() bool { return os.Getenv(TestStoreEnv) == "postgres" }

// openTest opens an empty, migrated store for the test on the database
// TestStoreEnv chooses, closed when the test ends.
func openTest(t testing.TB) *Store {
	t.Helper()
	var st *Store
	var err error
	if onPostgres() {
		db := pgtest.Database(t, pgtest.WithTemplate("store", migratePostgres))
		st, err = OpenPostgres(context.Background(), db.URL, "")
	} else {
		st, err = Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// sqliteOnly skips a test of SQLite's own files or plans on PostgreSQL.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if onPostgres() {
		t.Skip("SQLite only")
	}
}

func migratePostgres(ctx context.Context, url string) error {
	st, err := OpenPostgres(ctx, url, "")
	if err != nil {
		return err
	}
	return st.Close()
}
