package provision

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"connectord/pushfile"
)

// processWindow is fixture.process with size rows read ahead.
func (f *fixture) processWindow(t *testing.T, file []byte, size int) string {
	t.Helper()
	ctx := context.Background()
	reg, err := f.st.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := f.st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var out bytes.Buffer
	p := &Processor{Domain: "nhs.net", Rand: rand.NewChaCha8([32]byte{1}), window: size}
	if _, err := p.Apply(ctx, tx, File{Name: "push.csv", Data: bytes.NewReader(file), Read: pushfile.Options{Registry: reg}},
		Job{Sender: f.sender, Now: testNow, Results: &out}); err != nil {
		t.Fatalf("window %d: apply: %v", size, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// resultRecords parses a results file.
func resultRecords(t *testing.T, results string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(results, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// Rows decided a window at a time, their Local IDs looked up together,
// come out exactly as when each row is looked up just before it is
// decided (a window of 1), including a row carrying the Local ID that an
// earlier row of the same window was given, which must find that new
// mailbox rather than what the window's lookup saw.
func TestWindowDecidesAsRowByRow(t *testing.T) {
	sample, err := os.ReadFile("../testdata/push-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	base := string(sample) +
		"Mr,John,Smith,,RR8,DRR802,Porter,,,,,,,,,\r\n" +
		"Ms,Jane,Doe,,RR8,DRR801,Porter,,,,,,,,,\r\n" +
		"Dr,John,Smith,L2001,RR8,DRR802,Porter,,,,,,,,,\r\n" +
		"Dr,John,Smith,l1002,RR8,DRR802,Porter,,,,,,,,,\r\n"
	// The Local ID the first new John Smith is given (the same in every
	// run: the passwords and IDs come from a fixed stream).
	var generated string
	for _, rec := range resultRecords(t, newFixture(t).processWindow(t, []byte(base), 1)) {
		if d := rec[len(rec)-3]; strings.HasPrefix(d, "Local ID generated: ") {
			generated = strings.TrimPrefix(d, "Local ID generated: ")
			break
		}
	}
	if generated == "" {
		t.Fatal("no Local ID generated")
	}
	file := []byte(base + "Prof,John,Smith," + generated + ",RR8,DRR802,Surgeon,,,,,,,,,\r\n")

	f := newFixture(t)
	want := f.processWindow(t, file, 1)
	wantDir := snapshot(t, f.st)
	recs := resultRecords(t, want)
	if last := recs[len(recs)-1]; last[len(last)-4] != string(Updated) {
		t.Fatalf("the row with the generated Local ID: got %v, want %s", last[len(last)-4:], Updated)
	}
	for _, size := range []int{2, 3, 7, 0} {
		f := newFixture(t)
		if got := f.processWindow(t, file, size); got != want {
			t.Errorf("window %d: results\n%s\nwant (window 1)\n%s", size, got, want)
		}
		if got := snapshot(t, f.st); got != wantDir {
			t.Errorf("window %d: directory\n%s\nwant (window 1)\n%s", size, got, wantDir)
		}
	}
}

// New starters take the first free number of their address base, whether
// the directory held the lower ones when the file began or another base
// of the same file reached them first (john.smith1 and 2 is john.smith12).
func TestAddressNumbersAcrossBases(t *testing.T) {
	file := header + "John,Smith,,RR8,,Porter,,,,\r\n" // reads john.smith's numbers
	for range 2 {
		file += "John,Smith1,,RR8,,Porter,,,,\r\n"
	}
	for range 11 {
		file += "John,Smith,,RR8,,Porter,,,,\r\n"
	}
	got, _ := newFixture(t).process(t, []byte(file), false)
	recs := resultRecords(t, got)
	var addrs []string
	for _, rec := range recs[1:] {
		addrs = append(addrs, rec[len(rec)-2])
	}
	want := []string{"john.smith2@nhs.net", "john.smith1@nhs.net", "john.smith12@nhs.net"}
	for n := 3; n <= 14; n++ { // john.smith@nhs.net is in the directory
		if n != 12 {
			want = append(want, "john.smith"+strconv.Itoa(n)+"@nhs.net")
		}
	}
	if !slices.Equal(addrs, want) {
		t.Errorf("got %v, want %v", addrs, want)
	}
}
