package provision

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/directoryfile"
	"connectord/internal/benchref"
	"connectord/internal/synth"
	"connectord/pushfile"
	"connectord/store"
)

// BenchmarkProcess applies a 20,000-row push file (8% updates, 2% new
// users) to a 20,000-mailbox directory, rolling back after each run so
// every iteration sees the same directory. scripts/bench.sh measures the
// million-row case end to end.
func BenchmarkProcess(b *testing.B) {
	benchProcess(b, synth.Set{Rows: 20000, Orgs: 20, Update: 0.08, Create: 0.02, Seed: 3}, nil)
}

// BenchmarkProcessNumericLocalIDs is the worst case of the lost leading
// zeros check: every Local ID in the directory is a zero-padded number
// ("000000012"), so all are in the index it uses, and 10% of the rows are
// new users with a number not starting with 0 ("900000012"), each of which
// is looked up there.
func BenchmarkProcessNumericLocalIDs(b *testing.B) {
	numeric := strings.NewReplacer("EMP", "0", "NEW", "9")
	benchProcess(b, synth.Set{Rows: 20000, Orgs: 20, Update: 0.08, Create: 0.10, Seed: 3}, numeric.Replace)
}

// benchProcess runs the push file of set against its directory; edit, when
// set, rewrites both files first.
func benchProcess(b *testing.B, set synth.Set, edit func(string) string) {
	rows := set.Rows
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var orgs, dir, push bytes.Buffer
	for _, w := range []struct {
		buf   *bytes.Buffer
		write func(io.Writer) error
	}{{&orgs, set.Organisations}, {&dir, set.Directory}, {&push, set.PushFile}} {
		if err := w.write(w.buf); err != nil {
			b.Fatal(err)
		}
	}
	if edit != nil {
		for _, buf := range []*bytes.Buffer{&dir, &push} {
			text := edit(buf.String())
			buf.Reset()
			buf.WriteString(text)
		}
	}
	list, err := directoryfile.ReadOrganisations(&orgs, "orgs.csv")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.PutOrganisations(ctx, list); err != nil {
		b.Fatal(err)
	}
	codes := make([]string, set.Orgs)
	for i := range codes {
		codes[i] = synth.OrgCode(i)
	}
	if err := st.PutSender(ctx, "bulk@nhs.net", codes, "test", time.Now()); err != nil {
		b.Fatal(err)
	}
	reg, err := st.Registry(ctx)
	if err != nil {
		b.Fatal(err)
	}
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := directoryfile.ImportReport(&dir, "dir.csv", tx, reg, time.Now()); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	sender, err := st.Sender(ctx, "bulk@nhs.net")
	if err != nil {
		b.Fatal(err)
	}
	data := push.Bytes()
	p := &Processor{Domain: "nhs.net"}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tx, err := st.BeginDirectory(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := p.Apply(ctx, tx, File{Name: "push.csv", Data: bytes.NewReader(data), Read: pushfile.Options{Registry: reg}},
			Job{Sender: sender, Now: time.Now(), Results: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		tx.Rollback()
		if sum.Counts[New] == 0 || sum.Counts[Invalid] != 0 {
			b.Fatalf("got %v, want new users and no invalid rows", sum.Counts)
		}
		if sum.Counts.Total() != rows {
			b.Fatalf("processed %d rows, want %d", sum.Counts.Total(), rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// shapeRows is the size of BenchmarkProcessShapes: large enough that the
// directory (about 35 MB) outgrows the store's 16 MiB page cache, as a
// national directory does, so the file's order shows.
const shapeRows = 100_000

// BenchmarkProcessShapes is scripts/bench.sh's headline at 100,000 rows:
// the real shape (synth.RealShape: realistic names whose addresses
// collide, 10% changed, 10% new starters) sorted by surname, not sorted
// at all, and in directory order, each processed and committed beside
// the naive reference (benchref.Process) on a fresh copy of one directory.
func BenchmarkProcessShapes(b *testing.B) {
	ctx := context.Background()
	template := filepath.Join(b.TempDir(), "template.db")
	if err := benchref.Setup(ctx, template, synth.RealShape(shapeRows), time.Now()); err != nil {
		b.Fatal(err)
	}
	for _, order := range []synth.Order{synth.SurnameOrder, synth.RandomOrder, synth.KeyOrder} {
		set := synth.RealShape(shapeRows)
		set.Order = order
		var push bytes.Buffer
		if err := set.PushFile(&push); err != nil {
			b.Fatal(err)
		}
		b.Run(order.String()+"/process", func(b *testing.B) {
			shapeLoop(b, template, push.Bytes(), func(path string) func() error {
				return processOnce(b, path, push.Bytes())
			})
		})
		b.Run(order.String()+"/naive", func(b *testing.B) {
			shapeLoop(b, template, push.Bytes(), func(path string) func() error {
				db, err := benchref.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				return func() error {
					c, err := benchref.Process(ctx, db, bytes.NewReader(push.Bytes()), io.Discard, "nhs.net", time.Now())
					if err == nil && c.Total() != shapeRows {
						err = fmt.Errorf("%d rows, want %d", c.Total(), shapeRows)
					}
					db.Close()
					return err
				}
			})
		})
	}
}

// shapeLoop times run on a fresh copy of template each iteration; prepare
// (untimed) opens the copy and returns the timed run.
func shapeLoop(b *testing.B, template string, push []byte, prepare func(path string) func() error) {
	ctx := context.Background()
	b.SetBytes(int64(len(push)))
	b.ReportAllocs()
	for i := range b.N {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), fmt.Sprintf("run%d.db", i))
		if err := benchref.Copy(ctx, template, path); err != nil {
			b.Fatal(err)
		}
		run := prepare(path)
		b.StartTimer()
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(shapeRows*b.N), "µs/row")
}

// processOnce opens the store at path and returns the engine's run of the
// file, committed, as connectord process does it.
func processOnce(b *testing.B, path string, push []byte) func() error {
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	sender, err := st.Sender(ctx, benchref.Sender)
	if err != nil {
		b.Fatal(err)
	}
	reg, err := st.Registry(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return func() error {
		defer st.Close()
		tx, err := st.BeginDirectory(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		sum, err := (&Processor{Domain: "nhs.net"}).Apply(ctx, tx,
			File{Name: "push.csv", Data: bytes.NewReader(push), Read: pushfile.Options{Registry: reg}},
			Job{Sender: sender, Now: time.Now(), Results: io.Discard})
		if err != nil {
			return err
		}
		if sum.Counts.Total() != shapeRows {
			return fmt.Errorf("%d rows, want %d", sum.Counts.Total(), shapeRows)
		}
		return tx.Commit()
	}
}
