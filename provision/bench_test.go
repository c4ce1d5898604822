package provision

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/directoryfile"
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
		sum, err := p.Apply(ctx, Embedded(tx), File{Name: "push.csv", Data: bytes.NewReader(data), Read: pushfile.Options{Registry: reg}},
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
