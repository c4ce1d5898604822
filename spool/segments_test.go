package spool_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectord/internal/pgtest"
	"connectord/internal/storetest"
	"connectord/spool"
	"connectord/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// Messages appended to a segment read back byte for byte, from the start
// or from anywhere inside, whether the segment is a file or chunks in the
// database (messages across chunk boundaries, an empty one, one of
// exactly a chunk); a discarded segment and one nobody refers to are gone.
func TestSegmentsRoundTrip(t *testing.T) {
	st := storetest.Open(t)
	sp := storetest.Spool(t, st, filepath.Join(t.TempDir(), "spool"))
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{10, spool.BlobChunkSize - 3, 0, spool.BlobChunkSize, 3*spool.BlobChunkSize + 17, 1}
	seg, err := sp.NewSegment(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var msgs [][]byte
	var refs []store.SpoolRef
	for _, n := range sizes {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		ref, _, err := seg.Append(bytes.NewReader(b), 0)
		if err != nil {
			t.Fatal(err)
		}
		msgs, refs = append(msgs, b), append(refs, ref)
	}
	if err := seg.Commit(); err != nil {
		t.Fatal(err)
	}
	for i, ref := range refs {
		m, err := sp.Open(ref)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(m)
		if err != nil || !bytes.Equal(got, msgs[i]) {
			t.Errorf("message %d (%d bytes): read %d bytes, err %v", i, len(msgs[i]), len(got), err)
		}
		if len(msgs[i]) > 20 {
			at := int64(len(msgs[i]) - 20)
			part := make([]byte, 20)
			if _, err := m.ReadAt(part, at); err != nil || !bytes.Equal(part, msgs[i][at:]) {
				t.Errorf("message %d: ReadAt %d: %v", i, at, err)
			}
		}
		m.Close()
	}

	dropped, err := sp.NewSegment(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dropped.Append(bytes.NewReader(msgs[4]), 0); err != nil {
		t.Fatal(err)
	}
	dropped.Discard()
	orphan, err := sp.NewSegment(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := orphan.Append(bytes.NewReader(msgs[1]), 0); err != nil {
		t.Fatal(err)
	}
	if err := orphan.Commit(); err != nil {
		t.Fatal(err)
	}
	removed, err := sp.RemoveOrphans(map[string]bool{seg.Name(): true})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != orphan.Name() {
		t.Errorf("removed %v, want only %s", removed, orphan.Name())
	}
	for _, name := range []string{dropped.Name(), orphan.Name()} {
		m, err := sp.Open(store.SpoolRef{Segment: name, Size: 10})
		if err == nil {
			_, err = io.ReadAll(m)
			m.Close()
		}
		if err == nil {
			t.Errorf("%s: still readable", name)
		}
	}
	if err := sp.RemoveSegment(seg.Name()); err != nil {
		t.Fatal(err)
	}
	if err := sp.RemoveSegment(seg.Name()); err != nil {
		t.Errorf("removing it again: %v", err)
	}
}

// Two spools on one database exclude each other as two processes on one
// directory do.
func TestSpoolLockAcrossSpools(t *testing.T) {
	st := storetest.Open(t)
	dir := filepath.Join(t.TempDir(), "spool")
	a, b := storetest.Spool(t, st, dir), storetest.Spool(t, st, dir)
	unlock, err := a.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if u, err := b.Lock(ctx); err == nil {
		u()
		t.Fatal("a second Lock succeeded while the first was held")
	}
	unlock()
	u, err := b.Lock(context.Background())
	if err != nil {
		t.Fatalf("Lock after the first unlocked: %v", err)
	}
	u()
}
