package directoryfile

import (
	"fmt"
	"strings"
)

// maxProblems caps how many problems one import reports.
const maxProblems = 100

// Error lists every problem of an operator file that was refused whole.
type Error struct {
	File     string
	Problems []string // "line N: problem"
	More     int      // problems beyond maxProblems, not listed
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%s", e.File, p)
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n%s: and %d more problems", e.File, e.More)
	}
	return b.String()
}

func (e *Error) add(line int, format string, a ...any) {
	if len(e.Problems) >= maxProblems {
		e.More++
		return
	}
	e.Problems = append(e.Problems, fmt.Sprintf("%d: %s", line, fmt.Sprintf(format, a...)))
}

func (e *Error) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}
