package pushfile

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// testRegistry is a small directory of organisations and their units.
type testRegistry map[string][]string

func (r testRegistry) HasOrganisation(code string) bool { _, ok := r[code]; return ok }
func (r testRegistry) HasUnit(org, unit string) bool    { return slices.Contains(r[org], unit) }

// newTestRegistry knows RR8 (units DRR81, DRR82), LS111 and Y00001.
func newTestRegistry() testRegistry {
	return testRegistry{"RR8": {"DRR81", "DRR82"}, "LS111": {"DLS1110234"}, "Y00001": nil}
}

// gotRow is a copy of what a Row held, kept after Next moves on.
type gotRow struct {
	Line   int
	Cells  []string
	Value  [NumFields]string
	Detail string
	Valid  bool
}

// readAll opens in and returns every row, or the error of Open or Next.
func readAll(t *testing.T, in string, opts Options) ([]gotRow, error) {
	t.Helper()
	r, err := Open(strings.NewReader(in), opts)
	if err != nil {
		return nil, err
	}
	var rows []gotRow
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, gotRow{
			Line: row.Line, Cells: slices.Clone(row.Cells), Value: row.Value,
			Detail: row.Detail(), Valid: row.Valid(),
		})
	}
}

// mustReadAll is readAll for inputs that must be usable.
func mustReadAll(t *testing.T, in string, opts Options) []gotRow {
	t.Helper()
	rows, err := readAll(t, in, opts)
	if err != nil {
		t.Fatalf("read %q: %v", in, err)
	}
	return rows
}

// fileProblems returns the messages of a *FileError, or fails.
func fileProblems(t *testing.T, err error) []string {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v, want a *FileError", err)
	}
	var msgs []string
	for _, p := range fe.Problems {
		msgs = append(msgs, p.Message)
	}
	return msgs
}
