package pushfile

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden results files in testdata/golden")

// TestGolden reads every testdata/golden/NAME.csv and compares the results
// file it gives, byte for byte, with NAME.results.csv (or, for a file that
// cannot be used, the error with NAME.error.txt). Valid rows get a made-up
// PROCESSED_NEW result, so that every result column is exercised.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/golden/*.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".results.csv") {
			continue
		}
		base := strings.TrimSuffix(in, ".csv")
		t.Run(filepath.Base(base), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, wantFile := goldenResults(t, data)
			if wantFile == "error" {
				wantFile = base + ".error.txt"
			} else {
				wantFile = base + ".results.csv"
			}
			if *update {
				if err := os.WriteFile(wantFile, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got\n%s\nwant (%s)\n%s", got, wantFile, want)
			}
		})
	}
}

// goldenResults returns the results file for data, or the text of its
// FileError and "error".
func goldenResults(t *testing.T, data []byte) ([]byte, string) {
	t.Helper()
	r, err := Open(bytes.NewReader(data), Options{Registry: newTestRegistry()})
	var fe *FileError
	if errors.As(err, &fe) {
		return []byte(fe.Error() + "\n"), "error"
	}
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var out bytes.Buffer
	w, err := NewResultsWriter(&out, r)
	if err != nil {
		t.Fatal(err)
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &fe) {
			return []byte(fe.Error() + "\n"), "error"
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		res := Result{Status: "INVALID", Detail: row.Detail()}
		if row.Valid() {
			res.Status = "PROCESSED_NEW"
			res.EmailAddress = strings.ToLower(strings.ReplaceAll(row.Value[FirstName]+"."+row.Value[LastName], " ", "")) + "@nhs.net"
			if row.Value[Password] == "" {
				res.GeneratedPassword = "Gen-" + strconv.Itoa(row.Line) + "-pw!"
			}
		}
		if err := w.Write(row, res); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), "results"
}
