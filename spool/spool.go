// Package spool keeps the raw bytes of every message taken from the
// connector mailbox, in segment files written once per fetched batch and
// made durable before the batch is recorded; a lock keeps two processes
// from writing at once, and a sweep removes the segments no submission
// refers to. On PostgreSQL the segments are kept in the database instead
// (blobs of fixed-size chunks, streamed both ways), so that any node reads
// any message. ExtractCSV reads a recorded submission's CSV file out of its
// message again, checked against the SHA-256 recorded when it arrived.
package spool

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"connectord/internal/atomicfile"
	"connectord/store"
)

// Spool keeps the raw bytes of every message taken from the mailbox. A
// fetched batch is appended to one segment file, which is fsynced once
// before the batch's rows are committed; only then is the server copy
// moved. A segment no row refers to (the process died between the two) is
// an orphan, removed at the next start.
//
// On PostgreSQL (OpenInDatabase) the segments are blobs in the database
// instead, written chunk by chunk and committed before the batch's rows,
// so that every node reads every message; dir then holds only scratch
// files.
type Spool struct {
	dir string
	db  *store.Store // nil: segments are files in dir
}

// SegmentSuffix ends the name of every segment file.
const SegmentSuffix = ".spool"

// copyBuffers are the buffers messages are copied through: thousands of
// messages a sync would otherwise each allocate one.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// scratchPrefix starts the names of the attachment scratch files.
const scratchPrefix = ".attachment-"

// Open opens (creating) the spool directory.
func Open(dir string) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create spool %s: %w", dir, err)
	}
	return &Spool{dir: dir}, nil
}

// OpenInDatabase opens a spool whose segments are kept in st (a
// PostgreSQL store), with scratch files in dir.
func OpenInDatabase(st *store.Store, dir string) (*Spool, error) {
	sp, err := Open(dir)
	if err != nil {
		return nil, err
	}
	sp.db = st
	return sp, nil
}

// InDatabase reports whether the segments are kept in the database.
func (s *Spool) InDatabase() bool { return s.db != nil }

// Dir is the spool directory.
func (s *Spool) Dir() string { return s.dir }

// Segment is a segment file being written.
type Segment struct {
	spool *Spool
	name  string
	f     *os.File    // nil in the database
	blob  *blobWriter // in the database
	off   int64
}

// NewSegment creates an empty segment with a unique name.
func (s *Spool) NewSegment(now time.Time) (*Segment, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("name spool segment: %w", err)
	}
	name := now.UTC().Format("20060102T150405.000000000") + "-" + hex.EncodeToString(b[:]) + SegmentSuffix
	if s.db != nil {
		return &Segment{spool: s, name: name, blob: &blobWriter{db: s.db, name: name}}, nil
	}
	f, err := os.OpenFile(filepath.Join(s.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create spool segment: %w", err)
	}
	return &Segment{spool: s, name: name, f: f}, nil
}

// Name is the segment's file name.
func (g *Segment) Name() string { return g.name }

// Append copies one message into the segment and returns where it is and
// the SHA-256 of its bytes. At most limit bytes are taken (limit <= 0: no
// limit); more is an error.
func (g *Segment) Append(r io.Reader, limit int64) (store.SpoolRef, string, error) {
	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	buf := copyBuffers.Get().(*[]byte)
	var w io.Writer = g.f
	if g.blob != nil {
		w = g.blob
	}
	n, err := io.CopyBuffer(io.MultiWriter(w, h), src, *buf)
	copyBuffers.Put(buf)
	ref := store.SpoolRef{Segment: g.name, Offset: g.off, Size: n}
	g.off += n
	if err != nil {
		return ref, "", fmt.Errorf("spool message: %w", err)
	}
	if limit > 0 && n > limit {
		return ref, "", fmt.Errorf("spool message: larger than %d bytes", limit)
	}
	return ref, hex.EncodeToString(h.Sum(nil)), nil
}

// Size is the number of bytes written so far.
func (g *Segment) Size() int64 { return g.off }

// Commit flushes the segment to stable storage, and the directory entry
// with it, and closes it.
func (g *Segment) Commit() error {
	if g.blob != nil {
		return g.blob.flush()
	}
	if err := g.f.Sync(); err != nil {
		g.f.Close()
		return fmt.Errorf("sync spool segment: %w", err)
	}
	if err := g.f.Close(); err != nil {
		return fmt.Errorf("close spool segment: %w", err)
	}
	return atomicfile.SyncDir(g.spool.dir)
}

// Discard closes and removes an uncommitted segment.
func (g *Segment) Discard() {
	if g.blob != nil {
		g.spool.db.RemoveBlob(context.Background(), g.name)
		return
	}
	g.f.Close()
	os.Remove(filepath.Join(g.spool.dir, g.name))
}

// Open returns a reader over one spooled message.
func (s *Spool) Open(ref store.SpoolRef) (*SpooledMessage, error) {
	if strings.ContainsAny(ref.Segment, `/\`) || !strings.HasSuffix(ref.Segment, SegmentSuffix) {
		return nil, fmt.Errorf("spool segment %q: not a segment name", ref.Segment)
	}
	if s.db != nil {
		r := &blobReader{db: s.db, name: ref.Segment}
		return &SpooledMessage{SectionReader: io.NewSectionReader(r, ref.Offset, ref.Size), f: r}, nil
	}
	f, err := os.Open(filepath.Join(s.dir, ref.Segment))
	if err != nil {
		return nil, fmt.Errorf("open spooled message: %w", err)
	}
	return &SpooledMessage{SectionReader: io.NewSectionReader(f, ref.Offset, ref.Size), f: f}, nil
}

// SpooledMessage reads one message from its segment.
type SpooledMessage struct {
	*io.SectionReader
	f io.Closer
}

// Close closes the segment.
func (m *SpooledMessage) Close() error { return m.f.Close() }

// RemoveOrphans deletes segments that no submission refers to, and the
// attachment scratch files a killed process left. It must run
// when no segment is being written: holding the spool's Lock.
func (s *Spool) RemoveOrphans(referenced map[string]bool) ([]string, error) {
	removed, err := s.removeOrphanBlobs(referenced)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("read spool: %w", err)
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, scratchPrefix) && !e.IsDir() {
			os.Remove(filepath.Join(s.dir, name))
			continue
		}
		if e.IsDir() || !strings.HasSuffix(name, SegmentSuffix) || referenced[name] {
			continue
		}
		if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, name)
	}
	return removed, errors.Join(errs...)
}

// RemoveSegment deletes a segment whose messages are all settled and past
// retention. A segment already gone is no error (the removal is repeated
// after a crash).
func (s *Spool) RemoveSegment(name string) error {
	if strings.ContainsAny(name, `/\`) || !strings.HasSuffix(name, SegmentSuffix) {
		return fmt.Errorf("spool segment %q: not a segment name", name)
	}
	if s.db != nil {
		return s.db.RemoveBlob(context.Background(), name)
	}
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove spool segment: %w", err)
	}
	return nil
}

// Scratch creates an empty scratch file in the spool for an attachment
// being read. The caller closes and removes it; one a killed process left
// is removed by the next RemoveOrphans (which may also remove one still
// being read by a run: an open file stays readable once removed).
func (s *Spool) Scratch() (*os.File, error) {
	f, err := os.CreateTemp(s.dir, scratchPrefix+"*.csv")
	if err != nil {
		return nil, fmt.Errorf("attachment scratch file: %w", err)
	}
	return f, nil
}
