package provision

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"connectord/pushfile"
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
	_, err = p.Apply(ctx, tx, File{Name: "bad.csv", Data: strings.NewReader("FirstName,Surname\r\nAnn,Other\r\n")},
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
