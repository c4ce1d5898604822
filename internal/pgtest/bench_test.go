package pgtest

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkFreshDatabase measures the ways a test can get an empty,
// migrated schema of the store's size: a copy of a template database (both
// of PostgreSQL 15's strategies), a schema of its own in a shared database,
// and an empty database migrated from scratch. docs/testing.md has the
// figures.
func BenchmarkFreshDatabase(b *testing.B) {
	s := Shared(b)
	ctx := context.Background()
	tmpl, err := s.template("bench", migrate)
	if err != nil {
		b.Fatal(err)
	}
	for _, strategy := range []string{"wal_log", "file_copy"} {
		b.Run("template-"+strategy, func(b *testing.B) {
			for i := range b.N {
				name := fmt.Sprintf("bench_%s_%d", strategy, i)
				if err := s.admin(fmt.Sprintf("CREATE DATABASE %s OWNER %s TEMPLATE %s STRATEGY %s",
					name, ident(s.role), tmpl, strategy)); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := s.admin("DROP DATABASE " + name); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
	b.Run("schema", func(b *testing.B) {
		db := s.Database(b)
		conn := connect(b, db.URL)
		for i := range b.N {
			sch := fmt.Sprintf("s%d", i)
			if _, err := conn.Exec(ctx, "CREATE SCHEMA "+sch+"; SET search_path = "+sch+"; "+storeSchema); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("migrate-empty-database", func(b *testing.B) {
		for i := range b.N {
			name := fmt.Sprintf("bench_empty_%d", i)
			if err := s.admin(fmt.Sprintf("CREATE DATABASE %s OWNER %s", name, ident(s.role))); err != nil {
				b.Fatal(err)
			}
			if err := migrate(ctx, s.urlFor(name)); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := s.admin("DROP DATABASE " + name); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}
