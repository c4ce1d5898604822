package pushfile

import (
	"strconv"
	"strings"
)

// Problem is one broken rule, either in a row or in the file as a whole.
//
// In a row problem, Column names the column (see Reader.ColumnName) and
// Message says what is wrong with it, e.g. {5, "FirstName", "is required"}.
// Column is "" for problems of the row as a whole (a CSV syntax error, too
// many cells).
//
// In a file problem, Message is a complete sentence that already names the
// column concerned; Column repeats that name for programs ("" when no single
// column is concerned) and Line is 1 for header problems and 0 when no line
// is concerned (the file is empty, is not text, has no data rows).
type Problem struct {
	Line    int
	Column  string
	Message string
}

// rowText renders a row problem as "Column: problem".
func (p Problem) rowText() string {
	if p.Column == "" {
		return p.Message
	}
	return p.Column + ": " + p.Message
}

// FileError reports why a file cannot be used at all. All the problems found
// are listed, so the sender can fix them in one go.
type FileError struct {
	Problems []Problem
}

// Error returns the problems one per line, each prefixed with its line number
// when it has one.
func (e *FileError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if p.Line > 0 {
			b.WriteString("line ")
			b.WriteString(strconv.Itoa(p.Line))
			b.WriteString(": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// fileError returns a FileError with one problem.
func fileError(line int, column, message string) *FileError {
	return &FileError{Problems: []Problem{{Line: line, Column: column, Message: message}}}
}
