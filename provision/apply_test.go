package provision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectord/pushfile"
	"connectord/store"
)

// Apply refuses a file the engine's reader cannot use, file-level problems
// all together as a *pushfile.FileError, before writing any results or
// touching the directory.
func TestApplyRefusesAnUnusableFile(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before := snapshot(t, f.st)
	tx, err := f.st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var results bytes.Buffer
	p := &Processor{Domain: "nhs.net"}
	_, err = p.Apply(ctx, Embedded(tx), File{Name: "bad.csv", Data: strings.NewReader("FirstName,Surname\r\nAnn,Other\r\n")},
		Job{Sender: f.sender, Now: testNow, Results: &results})
	var fe *pushfile.FileError
	if !errors.As(err, &fe) || len(fe.Problems) < 2 {
		t.Fatalf("got %v, want a *pushfile.FileError listing the unknown and the missing columns", err)
	}
	if results.Len() != 0 {
		t.Errorf("results written for an unusable file: %q", results.String())
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, f.st); after != before {
		t.Errorf("directory changed by an unusable file")
	}
}

// grouped is the embedded directory looked up n rows at a time, as Active
// Directory is.
type grouped struct {
	Directory
	n int
}

func (g grouped) Batch() int { return g.n }

// Rows looked up together get the results they get one at a time: the
// sample file gives its golden results whatever the group size, and a
// second file finds what the first created, its Local IDs in any case.
func TestApplyInGroups(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "push-sample.results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile("../testdata/push-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	first := header + "Ann,Other,N1,RR8,,,,,,\r\nBob,Other,N2,RR8,,,,,,\r\nCy,Other,N3,RR8,,,,,,\r\n"
	second := header + "Ann,Other,n1,RR8,,Nurse,,,,\r\nBob,Other,N2,RR8,,,,,,\r\nCy,Other,N3,RR8,,,,,,\r\nDi,Other,N4,RR8,,,,,,\r\n"
	for _, n := range []int{2, 3, 4, 200} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newFixture(t)
			got, _ := f.processIn(t, []byte(sample), func(tx *store.DirectoryTx) Directory { return grouped{Embedded(tx), n} })
			if got != string(golden) {
				t.Errorf("sample in groups of %d:\ngot:\n%s\nwant:\n%s", n, got, golden)
			}
			f = newFixture(t)
			f.processIn(t, []byte(first), func(tx *store.DirectoryTx) Directory { return grouped{Embedded(tx), n} })
			got, _ = f.processIn(t, []byte(second), func(tx *store.DirectoryTx) Directory { return grouped{Embedded(tx), n} })
			res := resultsOf(t, got)
			want := []Status{Updated, NoChange, NoChange, New}
			for i, w := range want {
				if Status(res[i][0]) != w {
					t.Errorf("row %d: got %s %q, want %s", i+1, res[i][0], res[i][1], w)
				}
			}
		})
	}
}
