package pushfile

import (
	"io"
	"strings"
	"testing"
)

func TestRecorder(t *testing.T) {
	rc := &recorder{r: strings.NewReader("one\ntwo\nthree\n")}
	buf := make([]byte, 5)
	read := func() {
		t.Helper()
		if _, err := rc.Read(buf); err != nil && err != io.EOF {
			t.Fatal(err)
		}
	}
	read() // "one\nt"
	if got, ok := rc.text(0, 4); !ok || string(got) != "one\n" {
		t.Errorf("got %q %v, want %q", got, ok, "one\n")
	}
	rc.release(4)
	read() // "wo\nth"
	if got, ok := rc.text(4, 8); !ok || string(got) != "two\n" {
		t.Errorf("got %q %v, want %q", got, ok, "two\n")
	}
	if _, ok := rc.text(0, 4); ok {
		t.Error("got released bytes back, want them gone")
	}
	if _, ok := rc.text(8, 20); ok {
		t.Error("got bytes not read yet, want none")
	}
}

// TestHugeBrokenRecord checks that a rejected record too long to keep is
// still reported, without its cells, and that memory stays bounded.
func TestHugeBrokenRecord(t *testing.T) {
	in := "FirstName,LastName,Local ID,Organisation\nAnn,\"" + strings.Repeat("x", 3*maxRecorded) + "\nBob,Jones,A2,RR8\n"
	rows := mustReadAll(t, in, Options{})
	if len(rows) != 1 || rows[0].Valid || rows[0].Cells != nil || rows[0].Line != 2 {
		t.Errorf("got %d rows, first line %d valid %v with %d cells, want one invalid row on line 2 without cells",
			len(rows), rows[0].Line, rows[0].Valid, len(rows[0].Cells))
	}
}
