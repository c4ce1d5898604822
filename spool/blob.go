package spool

import (
	"context"
	"errors"
	"fmt"

	"connectord/store"
)

// BlobChunkSize is the size of every chunk of a segment kept in the
// database but its last: a message is read a chunk at a time, never whole.
const BlobChunkSize = 256 << 10

// blobWriter writes a segment into the database a chunk at a time.
type blobWriter struct {
	db   *store.Store
	name string
	buf  []byte
	seq  int64
}

func (w *blobWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = make([]byte, 0, BlobChunkSize)
		}
		k := min(len(p), BlobChunkSize-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p, n = p[k:], n+k
		if len(w.buf) == BlobChunkSize {
			if err := w.flush(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// flush stores the chunk being filled, if it holds anything.
func (w *blobWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if err := w.db.PutBlobChunk(context.Background(), w.name, w.seq, w.buf); err != nil {
		return fmt.Errorf("spool segment: %w", err)
	}
	w.seq++
	w.buf = w.buf[:0]
	return nil
}

// blobReader reads a segment kept in the database, keeping the chunk it
// read last. It is read through an io.SectionReader of one message, which
// asks only for bytes inside the message: a chunk missing or short there
// is an error, never the end of the message.
type blobReader struct {
	db    *store.Store
	name  string
	seq   int64 // of chunk, once read
	chunk []byte
	read  bool
}

func (r *blobReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for len(p) > 0 {
		seq, at := off/BlobChunkSize, int(off%BlobChunkSize)
		if !r.read || seq != r.seq {
			c, err := r.db.BlobChunk(context.Background(), r.name, seq, r.chunk)
			if errors.Is(err, store.ErrNotFound) {
				return n, fmt.Errorf("spooled message: segment %s has no chunk %d: it was removed or damaged", r.name, seq)
			}
			if err != nil {
				return n, fmt.Errorf("read spooled message: %w", err)
			}
			r.chunk, r.seq, r.read = c, seq, true
		}
		if at >= len(r.chunk) {
			return n, fmt.Errorf("spooled message: segment %s ends inside it, in chunk %d: it was damaged", r.name, seq)
		}
		k := copy(p, r.chunk[at:])
		p, n, off = p[k:], n+k, off+int64(k)
	}
	return n, nil
}

func (r *blobReader) Close() error { return nil }

// removeOrphanBlobs removes the segments in the database no submission
// refers to.
func (s *Spool) removeOrphanBlobs(referenced map[string]bool) ([]string, error) {
	if s.db == nil {
		return nil, nil
	}
	names, err := s.db.BlobNames(context.Background(), SegmentSuffix)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, n := range names {
		if referenced[n] {
			continue
		}
		if err := s.db.RemoveBlob(context.Background(), n); err != nil {
			return removed, err
		}
		removed = append(removed, n)
	}
	return removed, nil
}
