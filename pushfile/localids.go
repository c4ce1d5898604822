package pushfile

import (
	"hash/maphash"
	"unicode"
	"unicode/utf8"
)

// idSet remembers the Local IDs seen in a file, to find repeats, in constant
// space per ID: it keeps a 64-bit hash of each ID (case-folded) and the line
// it was first seen on, never the ID itself: an open-addressing table of 12
// bytes a slot, kept between 3/8 and 3/4 full, so 16 to 32 bytes per ID
// (3 MB for 100,000 rows).
//
// Two different IDs share a hash with probability about n²/2⁶⁵ for n IDs in
// the file: about 3 in 10¹⁰ for 100,000 rows, 3 in 10⁸ for a million. When it
// happens the later row is wrongly reported as a duplicate of the earlier
// line, which the sender can see is not so; nothing is written. The seed is
// random per Reader, so no file can be crafted to collide.
type idSet struct {
	seed  maphash.Seed
	keys  []uint64 // hashes; 0 marks an empty slot
	lines []int32  // first line of each hash, read only on a repeat
	n     int
	buf   []byte
}

// Sizes of the table, in slots.
const (
	minIDSlots = 1 << 10
	maxIDHint  = 1 << 21 // bounds the room reserved from the line count
)

// newIDSet returns an empty set with room for about hint IDs.
func newIDSet(hint int) *idSet {
	size := minIDSlots
	for size*3 < 4*min(hint, maxIDHint) {
		size *= 2
	}
	return &idSet{seed: maphash.MakeSeed(), keys: make([]uint64, size), lines: make([]int32, size)}
}

// add records id as seen on line. When it was seen before it returns the
// first line and true. IDs that differ only in case are the same ID.
func (s *idSet) add(id string, line int) (int, bool) {
	s.buf = foldID(s.buf[:0], id)
	h := maphash.Bytes(s.seed, s.buf)
	if h == 0 {
		h = 1
	}
	mask := uint64(len(s.keys) - 1)
	i := h & mask
	for s.keys[i] != 0 {
		if s.keys[i] == h {
			return int(s.lines[i]), true
		}
		i = (i + 1) & mask
	}
	s.keys[i] = h
	s.lines[i] = int32(min(line, 1<<31-1))
	s.n++
	if 4*s.n > 3*len(s.keys) { // keep the table at most 3/4 full
		s.grow()
	}
	return 0, false
}

// grow doubles the table.
func (s *idSet) grow() {
	keys, lines := s.keys, s.lines
	s.keys = make([]uint64, 2*len(keys))
	s.lines = make([]int32, 2*len(keys))
	mask := uint64(len(s.keys) - 1)
	for j, h := range keys {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.keys[i] != 0 {
			i = (i + 1) & mask
		}
		s.keys[i], s.lines[i] = h, lines[j]
	}
}

// foldID appends id lower-cased to dst.
func foldID(dst []byte, id string) []byte {
	for i := 0; i < len(id); {
		c := id[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(id[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += size
	}
	return dst
}
