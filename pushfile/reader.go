package pushfile

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
)

// readAhead is the buffer size of the decoded stream; the delimiter is
// guessed from the first line within it.
const readAhead = 64 << 10

// Reader reads and checks the rows of a push file, one at a time, in
// constant memory (apart from the set of Local IDs seen).
type Reader struct {
	enc        encoding
	delim      rune
	header     []string
	headerLine int
	lay        layout

	reg Registry
	pl  *Picklists

	cr   *csv.Reader
	rec  *recorder
	ids  *idSet
	row  Row
	rows int // data rows returned so far

	buf   []byte // scratch for pick-list lookups
	picks []int  // scratch for multi-value pick lists
}

// Open checks the encoding and header of the push file r and returns a
// Reader positioned at the first data row. When the file cannot be used it
// returns a *FileError listing every problem found; other errors are I/O
// errors.
func Open(r io.ReadSeeker, opts Options) (*Reader, error) {
	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("rewind file: %w", err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind file: %w", err)
	}
	// Buffers no larger than the file: most push files are a few KB.
	chunk := int(min(max(size+1, 4<<10), readAhead))
	s, err := sniffChunked(r, chunk)
	if err != nil {
		return nil, err
	}
	if _, err := r.Seek(s.skip, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind file: %w", err)
	}
	rec := &recorder{r: s.decoder(r)}
	br := bufio.NewReaderSize(rec, chunk)
	delim, sepLine := sniffDelimiter(br)

	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	if sepLine {
		if _, err := cr.Read(); err != nil && !isParseError(err) && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read file: %w", err)
		}
	}

	rd := &Reader{
		enc:   s.enc,
		delim: delim,
		reg:   opts.Registry,
		pl:    opts.Picklists,
		cr:    cr,
		rec:   rec,
		ids:   newIDSet(s.lines),
	}
	if rd.pl == nil {
		rd.pl = DefaultPicklists()
	}

	// The header is the first record that is not blank.
	for {
		rec, err := rd.read()
		switch {
		case errors.Is(err, io.EOF):
			return nil, fileError(0, "", "the file is empty: send a CSV file with a header line and one line per user")
		case err != nil:
			return nil, fmt.Errorf("read header: %w", err)
		case rec.syntax != nil:
			return nil, fileError(rec.line, "", "the header line is not valid CSV: "+syntaxMessage(rec.syntax))
		}
		if blankRecord(rec.cells) {
			continue
		}
		rd.headerLine = rec.line
		for _, c := range rec.cells {
			rd.header = append(rd.header, stripQuoteMark(c))
		}
		break
	}
	lay, probs := parseHeader(rd.header, rd.headerLine)
	if len(probs) > 0 {
		more, err := rd.hasDataRow()
		if err != nil {
			return nil, err
		}
		if !more {
			probs = append(probs, noDataRows())
		}
		return nil, &FileError{Problems: capProblems(probs)}
	}
	rd.lay = lay
	rd.row.Has = lay.has
	return rd, nil
}

// noDataRows is the problem of a file with a header only.
func noDataRows() Problem {
	return Problem{Message: "the file has a header but no data rows: add one line per user under the header"}
}

// hasDataRow reads on to see whether any row follows the header.
func (r *Reader) hasDataRow() (bool, error) {
	for {
		rec, err := r.read()
		switch {
		case errors.Is(err, io.EOF):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("read file: %w", err)
		}
		if rec.syntax != nil || !blankRecord(rec.cells) {
			return true, nil
		}
	}
}

// Format returns the format of the file, decided from its header.
func (r *Reader) Format() Format { return r.lay.format }

// Header returns the header cells as received: decoded, without byte order
// mark, not trimmed, with a leading apostrophe removed as from any cell.
func (r *Reader) Header() []string { return slices.Clone(r.header) }

// Delimiter returns the cell delimiter of the file: ',', ';' or a tab.
func (r *Reader) Delimiter() rune { return r.delim }

// Encoding names the character encoding the file was read in: "UTF-8",
// "UTF-8 with BOM", "Windows-1252", "UTF-16LE" or "UTF-16BE".
func (r *Reader) Encoding() string { return r.enc.String() }

// ColumnName returns the name problems of field f are reported under: the
// canonical column name in the file's format ("Local ID" in a new-format
// file, "Unique ID" in a NHSmail 1 file), or "" when the file has no column
// for f. In a NHSmail 1 file, Organisation problems name "GP Practice Code"
// instead when that column supplied the value.
func (r *Reader) ColumnName(f Field) string {
	if f < 0 || f >= NumFields {
		return ""
	}
	return r.lay.names[f]
}

// Next returns the next row that is not blank. At the end it returns io.EOF,
// or a *FileError when the file had no data rows at all. Other errors are
// I/O errors. The returned Row is reused by the next call.
func (r *Reader) Next() (*Row, error) {
	row := &r.row
	for {
		rec, err := r.read()
		if errors.Is(err, io.EOF) {
			if r.rows == 0 {
				return nil, &FileError{Problems: []Problem{noDataRows()}}
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		if rec.syntax == nil && blankRecord(rec.cells) {
			continue
		}
		r.rows++
		if rec.syntax != nil {
			r.syntaxRow(row, rec)
			return row, nil
		}
		r.fill(row, rec.cells, rec.line)
		if rec.exact {
			row.raw = rec.raw
		}
		return row, nil
	}
}

// blankRecord reports whether every cell of record is blank.
func blankRecord(record []string) bool {
	for _, c := range record {
		if !isBlank(stripQuoteMark(c)) {
			return false
		}
	}
	return true
}
