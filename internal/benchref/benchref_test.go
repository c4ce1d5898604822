package benchref

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"connectord/internal/synth"
	"connectord/provision"
	"connectord/pushfile"
	"connectord/store"
)

// The references run with the store's pragmas: if the store's change,
// this fails until Pragmas follows.
func TestPragmasAreTheStores(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "store", "store.go"))
	if err != nil {
		t.Fatal(err)
	}
	body := string(src)
	start := strings.Index(body, "func dsn(")
	if start < 0 {
		t.Fatal("store.go has no func dsn: find where the store sets its pragmas now")
	}
	body = body[start:]
	body = body[:strings.Index(body, "\n}\n")]
	var store []string
	for _, m := range regexp.MustCompile(`"([a-z_]+\(-?[0-9A-Za-z]+\))"`).FindAllStringSubmatch(body, -1) {
		store = append(store, m[1])
	}
	got := slices.Sorted(slices.Values(Pragmas()))
	slices.Sort(store)
	if !slices.Equal(got, store) {
		t.Errorf("Pragmas() = %v, the store's are %v", got, store)
	}
	if !strings.Contains(body, `"_txlock", "immediate"`) {
		t.Error("the store no longer sets _txlock=immediate; Open does")
	}
}

// fixture is a database with a set's directory, and the set's push file.
type fixture struct {
	db   string
	push []byte
	set  synth.Set
}

func newFixture(t *testing.T, set synth.Set) *fixture {
	t.Helper()
	f := &fixture{db: filepath.Join(t.TempDir(), "c.db"), set: set}
	if err := Setup(context.Background(), f.db, set, time.Now()); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := set.PushFile(&b); err != nil {
		t.Fatal(err)
	}
	f.push = b.Bytes()
	return f
}

// copyDB returns a fresh copy of the fixture's database.
func (f *fixture) copyDB(t *testing.T) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "copy.db")
	if err := Copy(context.Background(), f.db, to); err != nil {
		t.Fatal(err)
	}
	return to
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// engineCounts processes the file with the engine, committing.
func engineCounts(t *testing.T, path string, push []byte) provision.Counts {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sender, err := st.Sender(ctx, Sender)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := st.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	sum, err := (&provision.Processor{Domain: "nhs.net"}).Apply(ctx, tx,
		provision.File{Name: "push.csv", Data: bytes.NewReader(push), Read: pushfile.Options{Registry: reg}},
		provision.Job{Sender: sender, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return sum.Counts
}

func refProcess(t *testing.T, db *sql.DB, push []byte, out io.Writer) Counts {
	t.Helper()
	c, err := Process(context.Background(), db, bytes.NewReader(push), out, "nhs.net", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The reference decides every row as the engine does (where it decides at
// all), writes what it decided, and a second run finds nothing to change.
func TestProcessDecidesAsTheEngine(t *testing.T) {
	for _, set := range []synth.Set{synth.RealShape(5000), synth.EasyShape(3000)} {
		t.Run(set.Order.String(), func(t *testing.T) {
			f := newFixture(t, set)
			want := engineCounts(t, f.copyDB(t), f.push)
			db := openDB(t, f.copyDB(t))
			var results bytes.Buffer
			got := refProcess(t, db, f.push, &results)
			if got.Total() != set.Rows || got.Invalid != 0 {
				t.Fatalf("%+v: want %d valid rows", got, set.Rows)
			}
			for _, c := range []struct {
				name      string
				got, want int
			}{
				{"unchanged", got.NoChange, want[provision.NoChange]},
				{"updated", got.Updated, want[provision.Updated]},
				{"new", got.New, want[provision.New]},
			} {
				if c.got != c.want || c.got == 0 {
					t.Errorf("%s rows: got %d, the engine %d", c.name, c.got, c.want)
				}
			}
			if n := strings.Count(results.String(), "\n"); n != set.Rows+1 {
				t.Errorf("results file: %d lines, want %d", n, set.Rows+1)
			}
			var entries int
			if err := db.QueryRow(`SELECT count(*) FROM mailboxes`).Scan(&entries); err != nil {
				t.Fatal(err)
			}
			if entries != set.Rows+got.New {
				t.Errorf("%d entries after the file, want %d", entries, set.Rows+got.New)
			}
			again := refProcess(t, db, f.push, io.Discard)
			if again.NoChange != set.Rows {
				t.Errorf("the same file again: %+v, want every row unchanged", again)
			}
		})
	}
}

// dump is every entry without its times, sorted.
func dump(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT address || '|' || coalesce(local_id, '') || '|' || org_code || '|' || org_unit || '|' ||
		kind || '|' || title || '|' || first_name || '|' || last_name || '|' || name_key || '|' || job_title || '|' ||
		clinical_role || '|' || clinical_speciality || '|' || work_area || '|' || email_size || '|' || office_phone || '|' ||
		mobile_phone || '|' || fax || '|' || pager FROM mailboxes ORDER BY address`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// The import reference leaves the directory the engine's import leaves.
func TestImportLoadsWhatTheEngineLoads(t *testing.T) {
	set := synth.RealShape(3000)
	f := newFixture(t, set)
	want := dump(t, openDB(t, f.db))

	empty := newFixture(t, synth.Set{Rows: 0, Orgs: set.Orgs})
	db := openDB(t, empty.copyDB(t))
	var dir bytes.Buffer
	if err := set.Directory(&dir); err != nil {
		t.Fatal(err)
	}
	n, err := Import(context.Background(), db, &dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n != set.Rows {
		t.Errorf("imported %d rows, want %d", n, set.Rows)
	}
	got := dump(t, db)
	if len(got) != len(want) {
		t.Fatalf("%d entries, the engine's import %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("entry %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}
