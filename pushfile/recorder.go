package pushfile

import "io"

// maxRecorded bounds the raw text kept for one record. A record longer than
// this (an unclosed quote swallowing the rest of a big file) is not echoed.
const maxRecorded = 1 << 20

// recorder passes a decoded stream through and keeps the bytes from the
// start of the current record on, so that a record the CSV parser rejects
// can still be shown to the sender. Offsets are positions in the decoded
// stream, the same ones csv.Reader.InputOffset reports. Memory is bounded by
// one record plus the read-ahead of the buffered reader above it.
type recorder struct {
	r    io.Reader
	buf  []byte // kept bytes are buf[off:]
	off  int
	base int64 // stream offset of buf[off]
}

func (rc *recorder) Read(p []byte) (int, error) {
	n, err := rc.r.Read(p)
	if n <= 0 {
		return n, err
	}
	kept := len(rc.buf) - rc.off
	if kept+n > maxRecorded {
		// Too much for one record: forget it; text reports it as lost.
		rc.base += int64(kept)
		rc.buf, rc.off, kept = rc.buf[:0], 0, 0
	}
	if rc.off > 0 && len(rc.buf)+n > cap(rc.buf) {
		rc.buf = rc.buf[:copy(rc.buf, rc.buf[rc.off:])]
		rc.off = 0
	}
	rc.buf = append(rc.buf, p[:n]...)
	return n, err
}

// release forgets the bytes before stream offset o, the start of the next
// record.
func (rc *recorder) release(o int64) {
	drop := o - rc.base
	if drop <= 0 {
		return
	}
	kept := int64(len(rc.buf) - rc.off)
	if drop >= kept {
		rc.base += kept
		rc.buf, rc.off = rc.buf[:0], 0
		return
	}
	rc.off += int(drop)
	rc.base = o
}

// text returns the raw bytes from stream offset start to end, or false when
// they were not all kept.
func (rc *recorder) text(start, end int64) ([]byte, bool) {
	if start < rc.base || start > end || end > rc.base+int64(len(rc.buf)-rc.off) {
		return nil, false
	}
	i := rc.off + int(start-rc.base)
	return rc.buf[i : i+int(end-start)], true
}
