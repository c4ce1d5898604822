package pushfile

import (
	"encoding/csv"
	"errors"
	"fmt"
)

// syntaxRow makes row an INVALID row for a record the CSV parser rejected,
// with its cells split as well as can be for the results.
func (r *Reader) syntaxRow(row *Row, rec record) {
	row.reset(rec.line)
	if rec.raw != nil {
		row.Cells = lenientSplit(string(rec.raw), r.delim, r.delim != '\t')
		for i, c := range row.Cells {
			row.Cells[i] = stripQuoteMark(c)
		}
	}
	row.problem("", syntaxMessage(rec.syntax))
}

// syntaxMessage explains a CSV syntax error to a person.
func syntaxMessage(pe *csv.ParseError) string {
	where := ""
	if pe.Line != pe.StartLine {
		where = fmt.Sprintf(" (at line %d)", pe.Line)
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `a quote mark (") is inside a cell that does not start with one` + where +
			`: put the whole cell in quotes and double the quote marks inside it (""), or remove them`
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line != pe.StartLine:
		return fmt.Sprintf(`a quoted cell starting on this line is not closed properly (read up to line %d): `+
			`a cell in quotes must end with a quote mark followed by the delimiter or the end of the line, and quote marks inside it must be doubled ("")`, pe.Line)
	case errors.Is(pe.Err, csv.ErrQuote):
		return `a quoted cell is not closed properly: a cell in quotes must end with a quote mark followed by the delimiter or the end of the line, ` +
			`and quote marks inside it must be doubled ("")`
	}
	return "the line is not valid CSV" + where + ": " + pe.Err.Error()
}

func isParseError(err error) bool {
	_, ok := asParseError(err)
	return ok
}

// asParseError returns the CSV syntax error in err. It is kept apart so
// that the hot path of Next does not allocate the target of errors.As.
func asParseError(err error) (*csv.ParseError, bool) {
	var pe *csv.ParseError
	ok := errors.As(err, &pe)
	return pe, ok
}
