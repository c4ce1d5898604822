package pushfile

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// A row copied with CopyTo stays as it was read after the reader moves
// on, and the results writer writes the copy as it would the row.
func TestRowCopyTo(t *testing.T) {
	file := "FirstName,LastName,Local ID,Organisation,JobTitle\r\n" +
		"Ann,Other,L1,RR8,Nurse\r\n" +
		"Bob,Else,L2,RR8,\"=Doctor\"\r\n" +
		"Cy,,L1,RR8,Porter\r\n"
	rd, err := Open(strings.NewReader(file), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var copies []Row
	var direct bytes.Buffer
	w, err := NewResultsWriter(&direct, rd)
	if err != nil {
		t.Fatal(err)
	}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var c Row
		row.CopyTo(&c)
		copies = append(copies, c)
		if err := w.Write(row, Result{Status: "X"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(copies) != 3 || copies[0].Value[FirstName] != "Ann" || copies[2].Valid() {
		t.Fatalf("copies %+v: want Ann's row first and the repeated L1 invalid", copies)
	}
	rd2, err := Open(strings.NewReader(file), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var viaCopies bytes.Buffer
	w2, err := NewResultsWriter(&viaCopies, rd2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range copies {
		if err := w2.Write(&copies[i], Result{Status: "X"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w2.Flush(); err != nil {
		t.Fatal(err)
	}
	if viaCopies.String() != direct.String() {
		t.Errorf("results from copies:\n%s\nwant:\n%s", viaCopies.String(), direct.String())
	}
}
