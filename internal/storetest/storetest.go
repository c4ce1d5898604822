// Package storetest opens the store a test runs on: SQLite in the test's
// temporary directory, or, with CONNECTORD_TEST_STORE=postgres, a fresh
// PostgreSQL database copied from a migrated template on the package's
// shared test server (the package needs pgtest.Main in its TestMain).
// scripts/test.sh runs the store, ingest, night and outbox tests once on
// each.
package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"connectord/internal/pgtest"
	"connectord/spool"
	"connectord/store"
)

// Env names the variable that chooses the database.
const Env = "CONNECTORD_TEST_STORE"

// Postgres reports whether the tests run on PostgreSQL.
func Postgres() bool { return os.Getenv(Env) == "postgres" }

// Open opens an empty, migrated store for t, closed when t ends.
func Open(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	st, err := open(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func open(t testing.TB, opts []store.Option) (*store.Store, error) {
	ctx := context.Background()
	if !Postgres() {
		return store.Open(ctx, filepath.Join(t.TempDir(), "c.db"), opts...)
	}
	db := pgtest.Database(t, pgtest.WithTemplate("store", migrate))
	return store.OpenPostgres(ctx, db.URL, "", opts...)
}

func migrate(ctx context.Context, url string) error {
	st, err := store.OpenPostgres(ctx, url, "")
	if err != nil {
		return err
	}
	return st.Close()
}

// Spool opens the spool that goes with st: segment files under dir on
// SQLite, blobs in the database on PostgreSQL (scratch files under dir).
func Spool(t testing.TB, st *store.Store, dir string) *spool.Spool {
	t.Helper()
	var sp *spool.Spool
	var err error
	if st.OnPostgres() {
		sp, err = spool.OpenInDatabase(st, dir)
	} else {
		sp, err = spool.Open(dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sp
}
