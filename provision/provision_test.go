package provision

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectord/directoryfile"
	"connectord/pushfile"
	"connectord/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

var testNow = time.Date(2026, 11, 25, 20, 30, 0, 0, time.UTC)

// fixture is a store loaded with the shipped sample organisations and
// directory, and the sample sender.
type fixture struct {
	st     *store.Store
	sender store.Sender
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	orgFile, err := os.Open("../testdata/organisations.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer orgFile.Close()
	orgs, err := directoryfile.ReadOrganisations(orgFile, "organisations.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutOrganisations(ctx, orgs); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSender(ctx, "admin.leeds@nhs.net", []string{"RR8", "A81001"}, "test", testNow); err != nil {
		t.Fatal(err)
	}
	dir, err := os.Open("../testdata/directory.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	reg, err := st.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := directoryfile.ImportReport(dir, "directory.csv", tx, reg, testNow); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	sender, err := st.Sender(ctx, "admin.leeds@nhs.net")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, sender: sender}
}

// process runs one file through a committed (or rolled back) transaction
// and returns its results file.
func (f *fixture) process(t *testing.T, file []byte, dryRun bool) (string, Summary) {
	t.Helper()
	return f.run(t, file, dryRun, Embedded)
}

// processIn runs one file through the directory dir makes of the
// transaction, and commits.
func (f *fixture) processIn(t *testing.T, file []byte, dir func(*store.DirectoryTx) Directory) (string, Summary) {
	t.Helper()
	return f.run(t, file, false, dir)
}

func (f *fixture) run(t *testing.T, file []byte, dryRun bool, dir func(*store.DirectoryTx) Directory) (string, Summary) {
	t.Helper()
	ctx := context.Background()
	reg, err := f.st.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tx, err := f.st.BeginDirectory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	p := &Processor{Domain: "nhs.net", Rand: rand.NewChaCha8([32]byte{1})}
	sum, err := p.Apply(ctx, dir(tx), File{Name: "push.csv", Data: bytes.NewReader(file), Read: pushfile.Options{Registry: reg}},
		Job{Sender: f.sender, Now: testNow, DryRun: dryRun, Results: &out})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !dryRun {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return out.String(), sum
}

func TestSampleGolden(t *testing.T) {
	f := newFixture(t)
	in, err := os.ReadFile("../testdata/push-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, sum := f.process(t, in, false)
	golden := filepath.Join("testdata", "push-sample.results.csv")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("results differ from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
	}
	wantCounts := Counts{New: 4, Updated: 1, NoChange: 1, Contact: 1, Duplicate: 1, Leaver: 1, Invalid: 2, Denied: 2}
	for _, s := range Statuses() {
		if sum.Counts[s] != wantCounts[s] {
			t.Errorf("%s: got %d rows, want %d", s, sum.Counts[s], wantCounts[s])
		}
	}
}

const header = "FirstName,LastName,Local ID,Organisation,OrganisationUnit,JobTitle,Title,EmailSize,MobilePhone,Password\r\n"

// resultOf returns the Result and Detail cells of each data row.
func resultsOf(t *testing.T, csvText string) [][2]string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(csvText, "\uFEFF"), "\r\n"), "\r\n")
	var out [][2]string
	for _, l := range lines[1:] {
		cells := splitSimple(l)
		n := len(cells)
		out = append(out, [2]string{cells[n-4], cells[n-3]})
	}
	return out
}

// splitSimple splits a CSV line whose cells may be quoted but hold no
// line breaks.
func splitSimple(line string) []string {
	var cells []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '"' && i+1 < len(line) && line[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			cells = append(cells, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(cells, cur.String())
}

func TestStatuses(t *testing.T) {
	tests := []struct {
		name       string
		row        string
		wantStatus Status
		wantDetail string
	}{
		{"unchanged", "Jane,Doe,L1001,RR8,DRR801,Consultant,Dr,4,,", NoChange, ""},
		{"blank cells leave fields", "Jane,Doe,L1001,RR8,,,,,,", NoChange, ""},
		{"Local ID matches in any case", "Jane,Doe,l1001,RR8,,,,,,", NoChange, ""},
		{"updated", "Jane,Doe,L1001,RR8,DRR802,Lead Consultant,Prof,8,07700 900001,", Updated, "changed: OrganisationUnit, Title, JobTitle, EmailSize, MobilePhone"},
		{"case change is an update", "JANE,Doe,L1001,RR8,,,,,,", Updated, "changed: FirstName"},
		{"contact", "Olive,Contact,L1003,RR8,,New Title,,,,", Contact, "contact"},
		{"leaver", "Sam,Leaver,L1004,RR8,,,,,,", Leaver, "sam.leaver@nhs.net of organisation X26"},
		{"duplicate by name", "PRIYA,patel,,RR8,,,,,,", Duplicate, "priya.patel@nhs.net"},
		{"duplicate ignores accents", "Príya,Pátel,P9,RR8,,,,,,", Duplicate, "priya.patel@nhs.net"},
		{"duplicate needs same organisation", "Priya,Patel,P9,A81001,,,,,,", New, ""},
		{"new", "Ann,Other,N1,RR8,,,,,,", New, ""},
		{"new with blank Local ID", "Ann,Other,,RR8,,,,,,", New, "Local ID generated: RR8-"},
		{"not sender's organisation", "Ann,Other,N1,X26,,,,,,", Denied, "does not hold the Connector role for organisation X26"},
		{"invalid", "Ann,Other,N1,RR8,,,Sister,,,", Invalid, "Title"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			got, _ := f.process(t, []byte(header+tc.row+"\r\n"), false)
			res := resultsOf(t, got)
			if len(res) != 1 {
				t.Fatalf("got %d result rows, want 1:\n%s", len(res), got)
			}
			if Status(res[0][0]) != tc.wantStatus || !strings.Contains(res[0][1], tc.wantDetail) {
				t.Errorf("got %s %q, want %s with detail containing %q", res[0][0], res[0][1], tc.wantStatus, tc.wantDetail)
			}
		})
	}
}

// A results file can be sent again as it is: a row whose Local ID was
// generated carries it in its Local ID cell, so the second time it finds
// the mailbox it created instead of making a second one.
func TestResultsFileSentAgain(t *testing.T) {
	f := newFixture(t)
	first, _ := f.process(t, []byte(header+"Ann,Other,,RR8,,Nurse,,,,\r\n"), false)
	res := resultsOf(t, first)
	if res[0][0] != string(New) || !strings.Contains(res[0][1], "Local ID generated: RR8-") {
		t.Fatalf("first: got %v, want PROCESSED_NEW with a generated Local ID", res)
	}
	cells := splitSimple(strings.Split(first, "\r\n")[1])
	if id := cells[2]; !strings.HasPrefix(id, "RR8-") || !strings.Contains(res[0][1], id) {
		t.Fatalf("Local ID cell %q, want the generated one named in Detail %q", id, res[0][1])
	}
	again, sum := f.process(t, []byte(first), false)
	if res := resultsOf(t, again); res[0][0] != string(NoChange) {
		t.Errorf("sent again: got %v, want PROCESSED_NOCHANGE", res)
	}
	if sum.Counts[New] != 0 {
		t.Errorf("sent again: %d mailboxes created, want none", sum.Counts[New])
	}
}

func TestCreationLimit(t *testing.T) {
	f := newFixture(t) // A81001 may create 1 mailbox
	file := header + "A,One,A1,A81001,,,,,,\r\nB,Two,A2,A81001,,,,,,\r\n"
	got, _ := f.process(t, []byte(file), false)
	res := resultsOf(t, got)
	if res[0][0] != string(New) || res[1][0] != string(Denied) || !strings.Contains(res[1][1], "creation limit 1") {
		t.Fatalf("got %v, want NEW then ACCESS_DENIED creation limit 1", res)
	}
	// The count persists: the next file cannot create either.
	got, _ = f.process(t, []byte(header+"C,Three,A3,A81001,,,,,,\r\n"), false)
	if res := resultsOf(t, got); res[0][0] != string(Denied) {
		t.Errorf("next file: got %v, want ACCESS_DENIED", res)
	}
}

func TestAddressesAndPasswords(t *testing.T) {
	f := newFixture(t)
	file := header +
		"John,Smith,N1,RR8,,,,,,\r\n" + // john.smith@ is taken by the directory
		"John,Smith,N2,RR8,,,,,,\r\n" +
		"Søren,O'Brien-Weiß,N3,RR8,,,,,,\r\n" +
		"Mary Ann,De La Cruz,N4,RR8,,,,,,Given!Passw0rd\r\n"
	got, sum := f.process(t, []byte(file), false)
	if sum.Counts[New] != 4 {
		t.Fatalf("got %v, want 4 new:\n%s", sum.Counts, got)
	}
	lines := strings.Split(got, "\r\n")
	wantAddr := []string{"john.smith2@nhs.net", "john.smith3@nhs.net", "soren.obrien-weiss@nhs.net", "mary-ann.de-la-cruz@nhs.net"}
	for i, want := range wantAddr {
		cells := splitSimple(lines[i+1])
		n := len(cells)
		if cells[n-2] != want {
			t.Errorf("row %d: address %q, want %q", i+1, cells[n-2], want)
		}
		pw := cells[n-1]
		if i < 3 && (len(pw) < 16 || !meetsRule(pw)) {
			t.Errorf("row %d: generated password %q does not meet the rule", i+1, pw)
		}
		if i == 3 && pw != "" {
			t.Errorf("row %d: a supplied password got a generated one", i+1)
		}
	}
	if strings.Contains(got, "Given!Passw0rd") {
		t.Error("the supplied password was echoed in the results")
	}
}

func meetsRule(pw string) bool {
	var u, l, d, s bool
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			u = true
		case r >= 'a' && r <= 'z':
			l = true
		case r >= '0' && r <= '9':
			d = true
		default:
			s = true
		}
	}
	n := 0
	for _, b := range []bool{u, l, d, s} {
		if b {
			n++
		}
	}
	return n >= 3
}

func TestDryRunChangesNothing(t *testing.T) {
	f := newFixture(t)
	in, err := os.ReadFile("../testdata/push-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, f.st)
	got, sum := f.process(t, in, true)
	if sum.Counts[New] == 0 {
		t.Fatalf("dry run decided no new rows: %v", sum.Counts)
	}
	if after := snapshot(t, f.st); after != before {
		t.Errorf("dry run changed the directory:\nbefore %s\nafter  %s", before, after)
	}
	if strings.Contains(got, "PROCESSED_NEW") && !strings.Contains(got, "a password will be generated") {
		t.Error("dry run results do not say a password will be generated")
	}
	// A would-be Local ID is never shown: the real run draws another.
	got, _ = f.process(t, []byte(header+"Ann,Other,,RR8,,,,,,\r\n"), true)
	if !strings.Contains(got, "a Local ID will be generated") || strings.Contains(got, "RR8-") {
		t.Errorf("dry run of a blank Local ID: got\n%s\nwant it to say one will be generated, and none shown", got)
	}
}

// snapshot is the directory, audit and creation counts as one string.
func snapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	if _, err := directoryfile.ExportReport(ctx, &b, st); err != nil {
		t.Fatal(err)
	}
	n, err := st.AuditCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := st.Organisations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		fmt.Fprintf(&b, "%s:%d ", o.Code, o.Created)
	}
	return fmt.Sprintf("%s audit:%d", b.String(), n)
}

// failingWriter fails once it has taken limit bytes.
type failingWriter struct{ limit int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.limit -= len(p); w.limit < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// failingReader fails once it has delivered more than limit bytes in all:
// with limit above the file's size, part-way through Open's second pass
// (the first pass reads the whole file to sniff its encoding).
type failingReader struct {
	r     *bytes.Reader
	limit int64
	read  int64
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.read >= f.limit {
		return 0, errors.New("read error")
	}
	if int64(len(p)) > f.limit-f.read {
		p = p[:f.limit-f.read]
	}
	n, err := f.r.Read(p)
	f.read += int64(n)
	return n, err
}

func (f *failingReader) Seek(off int64, whence int) (int64, error) { return f.r.Seek(off, whence) }

// One file is applied in one transaction: a failure part-way through
// leaves the directory exactly as before the file.
func TestFailureMidFileChangesNothing(t *testing.T) {
	var file strings.Builder
	file.WriteString(header)
	for i := range 3000 {
		fmt.Fprintf(&file, "New,Person%s,M%d,RR8,,Nurse,,,,\r\n", strings.Repeat("x", i%7), i)
	}
	for _, tc := range []struct {
		name string
		out  io.Writer
		in   func([]byte) io.ReadSeeker
	}{
		{"results write fails", &failingWriter{limit: 100000}, func(b []byte) io.ReadSeeker { return bytes.NewReader(b) }},
		{"file read fails", io.Discard, func(b []byte) io.ReadSeeker {
			return &failingReader{r: bytes.NewReader(b), limit: int64(len(b) + len(b)/2)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			before := snapshot(t, f.st)
			data := []byte(file.String())
			tx, err := f.st.BeginDirectory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			p := &Processor{Domain: "nhs.net"}
			_, err = p.Apply(ctx, Embedded(tx), File{Name: "big.csv", Data: tc.in(data)}, Job{Sender: f.sender, Now: testNow, Results: tc.out})
			if err == nil {
				t.Fatal("run succeeded, want the injected failure")
			}
			tx.Rollback()
			if after := snapshot(t, f.st); after != before {
				t.Errorf("directory changed by a failed file")
			}
		})
	}
}
