package pushfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReader feeds arbitrary bytes to Open, Next and the ResultsWriter: they
// must never panic, every error must be a *FileError (the input cannot fail
// to read), every message must be one line, and a results file written must
// itself be readable.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/golden/*.csv")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"FirstName,LastName,Local ID,Organisation\nAnn,Smith,A1,RR8\n",
		"FirstName;LastName;Local ID;Organisation\n\"a\"\"b\";\"c\nd\";e;f\n",
		"sep=;\nUnique ID;First Name;Last Name;GP Practice Code\n1;a;b;Y1\n",
		"FirstName,LastName,Local ID,Organisation,,\n\"x,y,z\n",
		"FirstName\tLastName\tLocal ID\tOrganisation\n\t\t\t\n a\tb\tc\td\te\n",
		"\xFF\xFEF\x00,\x00",
		"PK\x03\x04",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open(bytes.NewReader(data), Options{Registry: newTestRegistry()})
		if err != nil {
			checkFileError(t, err)
			return
		}
		var out bytes.Buffer
		w, err := NewResultsWriter(&out, r)
		if err != nil {
			t.Fatalf("NewResultsWriter: %v", err)
		}
		rows := 0
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				checkFileError(t, err)
				return
			}
			rows++
			if d := row.Detail(); strings.ContainsAny(d, "\r\n") {
				t.Fatalf("got a detail of several lines: %q", d)
			}
			if row.Valid() && row.Value[Organisation] == "" {
				t.Fatalf("got a valid row without an organisation: %+v", row)
			}
			if err := w.Write(row, Result{Status: "INVALID", Detail: row.Detail()}); err != nil {
				t.Fatalf("Write: %v", err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatalf("Flush: %v", err)
		}
		// The results must read back with the same number of rows, unless
		// their cells are all blank (then the row is skipped when re-read).
		r2, err := Open(bytes.NewReader(out.Bytes()), Options{})
		if err != nil {
			t.Fatalf("results file unreadable: %v\n%q", err, out.Bytes())
		}
		back := 0
		for {
			_, err := r2.Next()
			if err != nil {
				break
			}
			back++
		}
		if back != rows {
			t.Fatalf("got %d rows back from the results, want %d\n%q", back, rows, out.Bytes())
		}
	})
}

func checkFileError(t *testing.T, err error) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a *FileError", err)
	}
	if len(fe.Problems) == 0 {
		t.Fatal("got a FileError without problems")
	}
	for _, p := range fe.Problems {
		if p.Message == "" || strings.ContainsAny(p.Message, "\r\n") {
			t.Fatalf("got message %q, want one non-empty line", p.Message)
		}
	}
}
