package pushfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// record is one record of the file as read.
type record struct {
	cells  []string        // nil when syntax is set
	line   int             // the line it starts on
	raw    []byte          // its text, without line end; nil when too long to keep
	exact  bool            // cells were parsed strictly from raw
	syntax *csv.ParseError // why the CSV parser rejected it
}

// read returns the next record, blank or not. A record with a CSV syntax
// error is read again from its text with spaces before an opening quote
// allowed (`Smith, "Jones"`); when that fixes it, it is returned as good.
// Otherwise it comes back with its error in syntax. err is io.EOF at the end
// or an I/O error.
func (r *Reader) read() (record, error) {
	start := r.cr.InputOffset()
	r.rec.release(start)
	cells, err := r.cr.Read()
	raw, kept := r.rec.text(start, r.cr.InputOffset())
	if kept {
		raw = trimLineEnds(raw)
	}
	if err == nil {
		line, _ := r.cr.FieldPos(0)
		return record{cells: cells, line: line, raw: raw, exact: kept}, nil
	}
	if errors.Is(err, io.EOF) {
		return record{}, io.EOF
	}
	pe, ok := asParseError(err)
	if !ok {
		return record{}, fmt.Errorf("read file at byte %d: %w", r.cr.InputOffset(), err)
	}
	if kept && r.delim != '\t' {
		if cells, ok := reparse(raw, r.delim); ok {
			return record{cells: cells, line: pe.StartLine, raw: raw}, nil
		}
	}
	return record{line: pe.StartLine, raw: raw, syntax: pe}, nil
}

// reparse reads raw as one record, allowing spaces before an opening quote.
func reparse(raw []byte, delim rune) ([]string, bool) {
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cells, err := cr.Read()
	if err != nil {
		return nil, false
	}
	if _, err := cr.Read(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return cells, true
}

// trimLineEnds removes the empty lines the CSV parser skipped before a
// record and the line end after it.
func trimLineEnds(raw []byte) []byte {
	for {
		switch {
		case bytes.HasPrefix(raw, []byte("\n")):
			raw = raw[1:]
			continue
		case bytes.HasPrefix(raw, []byte("\r\n")):
			raw = raw[2:]
			continue
		}
		break
	}
	raw = bytes.TrimSuffix(raw, []byte("\n"))
	return bytes.TrimSuffix(raw, []byte("\r"))
}
