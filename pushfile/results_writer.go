package pushfile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Result is the outcome of one row, appended to it in the results file.
type Result struct {
	Status            string // e.g. PROCESSED_NEW, INVALID
	Detail            string // usually Row.Detail plus what processing found
	EmailAddress      string
	GeneratedPassword string
	// LocalID, when set, is a Local ID generated for a row that had none:
	// it is written into the row's Local ID cell, so the results file can
	// be sent again as it is without creating a second mailbox.
	LocalID string
}

// resultColumns are the columns appended to every results row.
func resultColumns() []string {
	return []string{"Result", "Detail", "EmailAddress", "GeneratedPassword"}
}

// ResultsWriter writes the results file: the sender's rows, as sent, with
// the four result columns appended. It is UTF-8 with a byte order mark and
// CRLF line ends so that Excel opens it correctly, uses the delimiter of the
// input (',' for a tab-separated input, so that the .csv opens in Excel),
// never echoes a supplied password, and protects against CSV injection by
// putting an apostrophe before any cell that Excel would take for a formula.
type ResultsWriter struct {
	bw    *bufio.Writer
	delim byte
	keep  []int  // input columns echoed, in order
	phone []bool // per kept column: holds telephone numbers
	pass  []bool // per kept column: holds the password
	rec   []string
	line  []byte
	quote [256]bool // bytes that make a cell need quotes
	other [2]byte   // the separators other than delim, which rows echoed must not hold
	width int       // header columns
	pw    int       // index of the Password column, or -1
	lid   int       // index among the kept columns of the Local ID column, or -1
	echo  bool      // rows may be echoed from their raw text
}

// NewResultsWriter writes the byte order mark and the header line for the
// rows of r to w. Result columns of a re-sent results file are dropped from
// the echoed columns and written afresh at the end.
func NewResultsWriter(w io.Writer, r *Reader) (*ResultsWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, fmt.Errorf("write results header: %w", err)
	}
	rw := &ResultsWriter{bw: bufio.NewWriterSize(w, 64<<10), delim: ','}
	if r.delim != '\t' {
		rw.delim = byte(r.delim)
	}
	// Every separator a spreadsheet may split on is quoted, whatever the
	// file's own delimiter: Excel opens a .csv with the list separator of
	// the computer, so x,=cmd() left bare in a semicolon file would become
	// two cells there, the second a formula.
	for _, c := range []byte{'"', '\n', '\r', ',', ';', '\t'} {
		rw.quote[c] = true
	}
	rw.other = [2]byte{';', '\t'}
	if rw.delim == ';' {
		rw.other[0] = ','
	}
	rw.width, rw.pw, rw.lid = len(r.header), -1, -1
	rw.echo = r.delim != '\t'
	header := make([]string, 0, len(r.header)+4)
	for i, name := range r.header {
		col := column{kind: colUnknown}
		if i < len(r.lay.cols) {
			col = r.lay.cols[i]
		}
		if col.kind == colResult {
			rw.echo = false
			continue
		}
		if col.kind == colField && col.field == Password {
			rw.pw = i
		}
		if col.kind == colField && col.field == LocalID {
			rw.lid = len(rw.keep)
		}
		rw.keep = append(rw.keep, i)
		isField := col.kind == colField
		rw.phone = append(rw.phone, isField && col.field.isPhone())
		rw.pass = append(rw.pass, isField && col.field == Password)
		header = append(header, escapeCell(name))
	}
	header = append(header, resultColumns()...)
	if err := rw.writeRecord(header); err != nil {
		return nil, fmt.Errorf("write results header: %w", err)
	}
	rw.rec = make([]string, 0, len(header))
	return rw, nil
}

// Write writes row as it was read, with the password emptied and a
// generated Local ID filled in, followed by the result. Cells missing from
// a short row are written blank; cells beyond the header are not written.
func (w *ResultsWriter) Write(row *Row, res Result) error {
	fill := res.LocalID != "" && w.lid >= 0
	if !fill && w.canEcho(row) {
		return w.echoRow(row, res)
	}
	rec := w.rec[:0]
	for k, i := range w.keep {
		cell := ""
		if i < len(row.Cells) && !w.pass[k] {
			cell = row.Cells[i]
		}
		if fill && k == w.lid {
			cell = res.LocalID
		}
		if e := escapeCell(cell); e != cell && !(w.phone[k] && isPhoneShaped(cell)) {
			cell = e
		}
		rec = append(rec, cell)
	}
	rec = append(rec,
		escapeCell(res.Status), escapeCell(res.Detail),
		escapeCell(res.EmailAddress), escapeCell(res.GeneratedPassword))
	w.rec = rec
	if err := w.writeRecord(rec); err != nil {
		return fmt.Errorf("write results line: %w", err)
	}
	return nil
}

// canEcho reports whether the row's own text can be written instead of its
// cells, which gives the same cells when read back and is much cheaper: the
// text was parsed strictly, has one cell per column, no password, no cell
// that needs escaping and no separator other than the file's own (which
// may sit unquoted in a cell).
func (w *ResultsWriter) canEcho(row *Row) bool {
	if !w.echo || row.raw == nil || len(row.Cells) != w.width {
		return false
	}
	if w.pw >= 0 && row.Cells[w.pw] != "" {
		return false
	}
	if bytes.IndexByte(row.raw, w.other[0]) >= 0 || bytes.IndexByte(row.raw, w.other[1]) >= 0 {
		return false
	}
	if !row.special {
		return true
	}
	for k, i := range w.keep {
		c := row.Cells[i]
		if c != "" && mayEscape(c[0]) && escapeCell(c) != c && !(w.phone[k] && isPhoneShaped(c)) {
			return false
		}
	}
	return true
}

// echoRow writes the row's text and then the result.
func (w *ResultsWriter) echoRow(row *Row, res Result) error {
	b := append(w.line[:0], row.raw...)
	for _, f := range [...]string{res.Status, res.Detail, res.EmailAddress, res.GeneratedPassword} {
		b = append(b, w.delim)
		b = w.appendField(b, escapeCell(f))
	}
	b = append(b, '\r', '\n')
	w.line = b
	if _, err := w.bw.Write(b); err != nil {
		return fmt.Errorf("write results line: %w", err)
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (w *ResultsWriter) Flush() error {
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// writeRecord writes one line of the results file, CSV-quoted as RFC 4180
// asks, ending in CRLF. Line breaks inside a cell are kept as they are.
func (w *ResultsWriter) writeRecord(rec []string) error {
	b := w.line[:0]
	for i, f := range rec {
		if i > 0 {
			b = append(b, w.delim)
		}
		b = w.appendField(b, f)
	}
	b = append(b, '\r', '\n')
	w.line = b
	_, err := w.bw.Write(b)
	return err
}

// appendField appends f to b, in quotes when it holds a comma, semicolon,
// tab, quote mark or line break, or starts with white space (which a reader
// trimming leading space would lose).
func (w *ResultsWriter) appendField(b []byte, f string) []byte {
	if !w.needsQuotes(f) {
		return append(b, f...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(f, '"')
		if i < 0 {
			break
		}
		b = append(b, f[:i+1]...)
		b = append(b, '"')
		f = f[i+1:]
	}
	b = append(b, f...)
	return append(b, '"')
}

func (w *ResultsWriter) needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if c := f[0]; c == ' ' || c == '\t' {
		return true
	} else if c >= utf8.RuneSelf {
		if r, _ := utf8.DecodeRuneInString(f); unicode.IsSpace(r) {
			return true
		}
	}
	for i := 0; i < len(f); i++ {
		if w.quote[f[i]] {
			return true
		}
	}
	return false
}

// escapeCell puts an apostrophe before a cell that Excel would take for a
// formula: one whose first character, after any spaces and line feeds, is
// = + - @ (or their full-width forms ＝ ＋ － ＠, which Excel also reads as
// operators), a tab or a CR. A cell starting with an apostrophe gets one
// too, because the Reader strips one, so that writing and reading again
// gives the cell back unchanged; the Reader strips the apostrophe added here
// in the same way.
func escapeCell(s string) string {
	if s == "" || !mayEscape(s[0]) {
		return s
	}
	t := s
	if t[0] == ' ' || t[0] == '\n' {
		t = strings.TrimLeft(t, " \n")
		if t == "" {
			return s
		}
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		return "'" + s
	case 0xEF:
		switch r, _ := utf8.DecodeRuneInString(t); r {
		case '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20': // ＝ ＋ － ＠
			return "'" + s
		}
	}
	return s
}

// mayEscape reports whether a cell starting with byte c may need escaping
// (0xEF starts the full-width forms). It is the cheap test the reader makes
// of every cell.
func mayEscape(c byte) bool {
	switch c {
	case ' ', '\n', '=', '+', '-', '@', '\t', '\r', '\'', 0xEF:
		return true
	}
	return false
}
