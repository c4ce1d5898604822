package web

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode"
)

// resultTable is the start of a results file as the console shows it: the
// columns that say who a row is about, and the result columns. Passwords
// (the GeneratedPassword column, and any Password column) are never read
// into it.
type resultTable struct {
	Columns []string
	Rows    [][]string // the first cell is the row's number in the file
}

// shownColumns are the columns kept, by normalised name (lower case, no
// spaces, '_' or '-'), in both file formats.
var shownColumns = map[string]bool{
	"firstname": true, "lastname": true, "localid": true, "uniqueid": true,
	"organisation": true, "organisationcode": true, "gppracticecode": true,
	"result": true, "detail": true, "emailaddress": true,
}

// resultColumns are the result columns the console shows.
var resultColumns = map[string]bool{"result": true, "detail": true, "emailaddress": true}

func normColumn(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '\uFEFF':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// readResultTable reads up to max rows of a results file (as written by
// pushfile.ResultsWriter: UTF-8, a byte order mark, ',' or ';').
func readResultTable(r io.Reader, max int) (resultTable, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4096)
	head = bytes.TrimPrefix(head, []byte("\uFEFF"))
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	if bytes.Count(head, []byte{';'}) > bytes.Count(head, []byte{','}) {
		cr.Comma = ';'
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return resultTable{}, nil
	}
	if err != nil {
		return resultTable{}, err
	}
	// Who the row is about, in file order; then its result, new address
	// and detail (the longest, last).
	var keep []int
	t := resultTable{Columns: []string{"Row"}}
	for _, want := range []func(string) bool{
		func(n string) bool { return shownColumns[n] && !resultColumns[n] },
		func(n string) bool { return n == "result" },
		func(n string) bool { return n == "emailaddress" },
		func(n string) bool { return n == "detail" },
	} {
		for i, name := range header {
			if want(normColumn(name)) {
				keep = append(keep, i)
				t.Columns = append(t.Columns, strings.TrimPrefix(name, "\uFEFF"))
			}
		}
	}
	for n := 1; n <= max; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return t, nil // a cut-off last line: show what was read
		}
		row := make([]string, 0, len(keep)+1)
		row = append(row, itoa(n))
		for _, i := range keep {
			cell := ""
			if i < len(rec) {
				cell = rec[i]
			}
			row = append(row, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// headBuffer keeps the first limit bytes written to it and counts the rest.
type headBuffer struct {
	buf       bytes.Buffer
	limit     int
	truncated bool
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.limit - h.buf.Len(); room > 0 {
		if len(p) > room {
			h.buf.Write(p[:room])
			h.truncated = true
		} else {
			h.buf.Write(p)
		}
	} else if len(p) > 0 {
		h.truncated = true
	}
	return len(p), nil
}

// complete returns the kept bytes up to the last whole line.
func (h *headBuffer) complete() []byte {
	b := h.buf.Bytes()
	if h.truncated {
		if i := bytes.LastIndex(b, []byte("\r\n")); i >= 0 {
			b = b[:i+2]
		}
	}
	return b
}
