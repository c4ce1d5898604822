package directoryfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Table reads an operator's CSV file row by row with physical line
// numbers: a leading BOM is skipped, a header that splits only on ";" means
// semicolons, cells are trimmed and a leading "'" (added against formula
// injection) is dropped.
type Table struct {
	cr     *csv.Reader
	header []string
}

// OpenTable reads the header.
func OpenTable(r io.Reader) (*Table, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	first, _ := br.Peek(4096)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if !bytes.Contains(first, []byte(",")) && bytes.Contains(first, []byte(";")) {
		cr.Comma = ';'
	}
	h, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	t := &Table{cr: cr, header: append([]string(nil), h...)}
	return t, nil
}

// Header is the header row as read.
func (t *Table) Header() []string { return t.header }

// Next returns the next row that has a non-blank cell, with its line; the
// slice is reused by the following call. It returns io.EOF at the end.
func (t *Table) Next() ([]string, int, error) {
	for {
		rec, err := t.cr.Read()
		if err != nil {
			return nil, 0, err
		}
		line, _ := t.cr.FieldPos(0)
		blank := true
		for i, c := range rec {
			rec[i] = strings.TrimPrefix(strings.TrimSpace(c), "'")
			if rec[i] != "" {
				blank = false
			}
		}
		if !blank {
			return rec, line, nil
		}
	}
}
