package pushfile

import "strings"

// Row is one data row of a push file. Next reuses the same Row, so it is
// only valid until the next call to Next.
type Row struct {
	// Line is the physical line of the file the row starts on; the header
	// is line 1 (unless blank lines come before it).
	Line int
	// Cells are the cells as read: decoded, with one leading apostrophe
	// removed, not trimmed, in the file's column order. There is one per
	// cell of the record: normally one per header column, fewer when the
	// row is short, more when it has cells beyond the header. A row with a
	// CSV syntax error has its cells split leniently, or none when its text
	// was too long to keep.
	Cells []string
	// Value holds the trimmed, normalised value of each field. In a
	// NHSmail 1 file the old columns are mapped onto the new fields.
	Value [NumFields]string
	// Has reports which fields the file has a column for.
	Has [NumFields]bool
	// Problems lists every rule the row breaks; a row with problems is
	// INVALID and must not be acted on.
	Problems []Problem
	// Warnings are values that are applied but look damaged by a
	// spreadsheet, such as a telephone number that lost its leading 0.
	// They do not make the row invalid.
	Warnings []Problem
	// Notes are remarks that do not make the row invalid, such as
	// old-format columns that are no longer managed.
	Notes []string

	// raw is the row's text as read (decoded, without line end) when the
	// results writer may echo it as it is; nil otherwise.
	raw []byte
	// special reports a cell that starts with a character the results
	// writer may have to escape.
	special bool
	// rawBuf is raw's own storage in a copy (CopyTo).
	rawBuf []byte
}

// Valid reports whether the row breaks no rule.
func (r *Row) Valid() bool { return len(r.Problems) == 0 }

// Detail returns the problems and then the warnings as "Column: problem",
// then the notes, joined by "; ", for the Detail column of the results.
func (r *Row) Detail() string {
	var b strings.Builder
	for _, list := range [...][]Problem{r.Problems, r.Warnings} {
		for _, p := range list {
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(p.rowText())
		}
	}
	for _, n := range r.Notes {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(n)
	}
	return b.String()
}

// reset empties the row for reuse, keeping its slices' storage.
func (r *Row) reset(line int) {
	r.Line = line
	r.Cells = nil // may alias the CSV reader's record; never appended to
	r.Value = [NumFields]string{}
	r.Problems = r.Problems[:0]
	r.Warnings = r.Warnings[:0]
	r.Notes = r.Notes[:0]
	r.raw = nil
	r.special = false
}

// problem records a broken rule of column col.
func (r *Row) problem(col, msg string) {
	r.Problems = append(r.Problems, Problem{Line: r.Line, Column: col, Message: msg})
}

// warn records a value of column col that is applied but looks wrong.
func (r *Row) warn(col, msg string) {
	r.Warnings = append(r.Warnings, Problem{Line: r.Line, Column: col, Message: msg})
}

// CopyTo makes dst a copy of r that stays valid after the reader's next
// row, reusing dst's storage: Next reuses its row, so a caller that decides
// rows a window at a time keeps copies.
func (r *Row) CopyTo(dst *Row) {
	dst.Line, dst.Value, dst.Has, dst.special = r.Line, r.Value, r.Has, r.special
	dst.Cells = append(dst.Cells[:0], r.Cells...)
	dst.Problems = append(dst.Problems[:0], r.Problems...)
	dst.Warnings = append(dst.Warnings[:0], r.Warnings...)
	dst.Notes = append(dst.Notes[:0], r.Notes...)
	dst.raw = nil
	if r.raw != nil {
		dst.rawBuf = append(dst.rawBuf[:0], r.raw...)
		dst.raw = dst.rawBuf
	}
}
