package pushfile

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestRows(t *testing.T) {
	const header = "FirstName,LastName,Local ID,Organisation\r\n"
	type want struct {
		line   int
		cells  []string
		detail string
	}
	tests := []struct {
		name string
		in   string
		want []want
	}{
		{
			name: "lines count from the header",
			in:   header + "Ann,Smith,A1,RR8\r\nBob,Jones,A2,RR8\r\n",
			want: []want{{2, []string{"Ann", "Smith", "A1", "RR8"}, ""}, {3, []string{"Bob", "Jones", "A2", "RR8"}, ""}},
		},
		{
			name: "LF line ends, no final line end",
			in:   "FirstName,LastName,Local ID,Organisation\nAnn,Smith,A1,RR8",
			want: []want{{2, []string{"Ann", "Smith", "A1", "RR8"}, ""}},
		},
		{
			name: "blank rows skipped, lines still counted",
			in:   header + "\r\n,,,\r\n  , ,\t,\r\nAnn,Smith,A1,RR8\r\n',,,\r\n",
			want: []want{{5, []string{"Ann", "Smith", "A1", "RR8"}, ""}},
		},
		{
			name: "quoted cells over several lines",
			in:   header + "\"Ann\",\"Smith\nJones\",\"A1\",RR8\r\n\"Bob\",\"Jo\r\n\r\nnes\",A2,RR8\r\nCat,Brown,A3,RR8\r\n",
			want: []want{
				{2, []string{"Ann", "Smith\nJones", "A1", "RR8"}, ""},
				{4, []string{"Bob", "Jo\n\nnes", "A2", "RR8"}, ""},
				{7, []string{"Cat", "Brown", "A3", "RR8"}, ""},
			},
		},
		{
			name: "fewer cells are blank",
			in:   header + "Ann,Smith\r\n",
			want: []want{{2, []string{"Ann", "Smith"}, "Organisation: is required"}},
		},
		{
			name: "blank extra cells ignored",
			in:   header + "Ann,Smith,A1,RR8,,  ,\r\n",
			want: []want{{2, []string{"Ann", "Smith", "A1", "RR8", "", "  ", ""}, ""}},
		},
		{
			name: "extra cells",
			in:   header + "Ann,Smith,A1,RR8,,x,\r\n",
			want: []want{{2, []string{"Ann", "Smith", "A1", "RR8", "", "x", ""}, "the row has 6 cells but the header has 4: remove the extra cells or add headings for them"}},
		},
		{
			name: "value under a blank heading",
			in:   "FirstName,,LastName,Local ID,Organisation\r\nAnn,x,Smith,A1,RR8\r\n",
			want: []want{{2, []string{"Ann", "x", "Smith", "A1", "RR8"}, "column B has a value but no heading: add the heading or clear the column"}},
		},
		{
			name: "apostrophe stripped, cells not trimmed",
			in:   header + "'Ann,\" Smith \",'=A1,'RR8\r\n",
			want: []want{{2, []string{"Ann", " Smith ", "=A1", "RR8"}, ""}},
		},
		{
			name: "bare quote: row invalid, reading goes on",
			in:   header + "Ann,Sm\"ith,A1,RR8\r\nBob,Jones,A2,RR8\r\n",
			want: []want{
				{2, []string{"Ann", "Sm\"ith", "A1", "RR8"}, `a quote mark (") is inside a cell that does not start with one: put the whole cell in quotes and double the quote marks inside it (""), or remove them`},
				{3, []string{"Bob", "Jones", "A2", "RR8"}, ""},
			},
		},
		{
			name: "text after closing quote",
			in:   header + "Ann,\"Smith\"x,A1,RR8\r\nBob,Jones,A2,RR8\r\n",
			want: []want{
				{2, []string{"Ann", "Smith\"x", "A1", "RR8"}, `a quoted cell is not closed properly: a cell in quotes must end with a quote mark followed by the delimiter or the end of the line, and quote marks inside it must be doubled ("")`},
				{3, []string{"Bob", "Jones", "A2", "RR8"}, ""},
			},
		},
		{
			name: "unclosed quote swallows the rest",
			in:   header + "Ann,\"Smith,A1,RR8\r\nBob,Jones,A2,RR8\r\nCat,Brown,A3,RR8\r\n",
			want: []want{
				{2, []string{"Ann", "Smith,A1,RR8\r\nBob,Jones,A2,RR8\r\nCat,Brown,A3,RR8"}, `a quoted cell starting on this line is not closed properly (read up to line 4): a cell in quotes must end with a quote mark followed by the delimiter or the end of the line, and quote marks inside it must be doubled ("")`},
			},
		},
		{
			name: "spaces before a quoted cell",
			in:   header + "Ann, \"Smith, Jr\",A1, RR8\r\nBob,Jones,A2,RR8\r\n",
			want: []want{{2, []string{"Ann", "Smith, Jr", "A1", "RR8"}, ""}, {3, []string{"Bob", "Jones", "A2", "RR8"}, ""}},
		},
		{
			name: "semicolons",
			in:   "FirstName;LastName;Local ID;Organisation\r\nAnn;Smith, Jr;A1;RR8\r\n",
			want: []want{{2, []string{"Ann", "Smith, Jr", "A1", "RR8"}, ""}},
		},
		{
			name: "tabs",
			in:   "FirstName\tLastName\tLocal ID\tOrganisation\tTitle\r\nAnn\tSmith\t\tRR8\tDr\r\n",
			want: []want{{2, []string{"Ann", "Smith", "", "RR8", "Dr"}, ""}},
		},
		{
			name: "sep line",
			in:   "sep=;\r\nFirstName;LastName;Local ID;Organisation\r\nAnn;Smith;A1;RR8\r\n",
			want: []want{{3, []string{"Ann", "Smith", "A1", "RR8"}, ""}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := mustReadAll(t, tc.in, Options{})
			if len(rows) != len(tc.want) {
				t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(tc.want))
			}
			for i, w := range tc.want {
				got := rows[i]
				if got.Line != w.line {
					t.Errorf("row %d: got line %d, want %d", i, got.Line, w.line)
				}
				if !slices.Equal(got.Cells, w.cells) {
					t.Errorf("row %d: got cells %q, want %q", i, got.Cells, w.cells)
				}
				if got.Detail != w.detail {
					t.Errorf("row %d: got detail %q, want %q", i, got.Detail, w.detail)
				}
			}
		})
	}
}

func TestDelimiter(t *testing.T) {
	tests := []struct {
		in   string
		want rune
	}{
		{"FirstName,LastName,Local ID,Organisation\nA,B,,RR8\n", ','},
		{"FirstName;LastName;Local ID;Organisation\nA;B;;RR8\n", ';'},
		{"FirstName\tLastName\tLocal ID\tOrganisation\nA\tB\t\tRR8\n", '\t'},
		{"sep=,\nFirstName,LastName,Local ID,Organisation\nA,B,,RR8\n", ','},
	}
	for _, tc := range tests {
		r, err := Open(strings.NewReader(tc.in), Options{})
		if err != nil {
			t.Fatalf("Open(%q): %v", tc.in, err)
		}
		if got := r.Delimiter(); got != tc.want {
			t.Errorf("Open(%q): got delimiter %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSyntaxErrorDeepInFile checks that a rejected record far past the
// read-ahead buffer is still echoed.
func TestSyntaxErrorDeepInFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("FirstName,LastName,Local ID,Organisation\n")
	for range 5000 {
		b.WriteString("Ann,Smith,,RR8\n")
	}
	b.WriteString("Bob,Jo\"nes,B1,RR8\nCat,Brown,,RR8\n")
	rows := mustReadAll(t, b.String(), Options{})
	bad := rows[5000]
	if bad.Line != 5002 || bad.Valid || !slices.Equal(bad.Cells, []string{"Bob", "Jo\"nes", "B1", "RR8"}) {
		t.Errorf("got line %d valid %v cells %q, want line 5002, invalid, the cells", bad.Line, bad.Valid, bad.Cells)
	}
	if last := rows[len(rows)-1]; last.Line != 5003 || !last.Valid {
		t.Errorf("got last row %+v, want valid line 5003", last)
	}
}

func TestHeaderAsReceived(t *testing.T) {
	r, err := Open(strings.NewReader("\uFEFF first_name ,LastName,Local ID,Organisation\nA,B,,RR8\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Header(), []string{" first_name ", "LastName", "Local ID", "Organisation"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// failingReader fails after its data, like a disk error.
type failingReader struct {
	data    string
	off     int
	failAt  int
	seekErr bool
}

var errDisk = errors.New("disk on fire")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.off >= f.failAt {
		return 0, errDisk
	}
	n := copy(p, f.data[f.off:min(len(f.data), f.failAt)])
	f.off += n
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (f *failingReader) Seek(off int64, whence int) (int64, error) {
	if f.seekErr {
		return 0, errDisk
	}
	f.off = int(off)
	return off, nil
}

func TestIOErrors(t *testing.T) {
	in := "FirstName,LastName,Local ID,Organisation\nAnn,Smith,A1,RR8\n"
	for _, tc := range []struct {
		name string
		r    *failingReader
	}{
		{"seek", &failingReader{data: in, failAt: len(in) + 1, seekErr: true}},
		{"read", &failingReader{data: in, failAt: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.r, Options{})
			var fe *FileError
			if !errors.Is(err, errDisk) || errors.As(err, &fe) {
				t.Errorf("got %v, want a wrapped I/O error", err)
			}
		})
	}
}

func TestLenientSplit(t *testing.T) {
	tests := []struct {
		in    string
		delim rune
		want  []string
	}{
		{"a,b,c\n", ',', []string{"a", "b", "c"}},
		{"a,b\r\n", ',', []string{"a", "b"}},
		{`a,b"c,d` + "\n", ',', []string{"a", `b"c`, "d"}},
		{`"a""b",c` + "\n", ',', []string{`a"b`, "c"}},
		{`"ab"x,c` + "\n", ',', []string{`ab"x`, "c"}},
		{`"ab,c` + "\nd,e\n", ',', []string{"ab,c\nd,e\n"}},
		{"a; \"b\";c", ';', []string{"a", "b", "c"}},
		{"a,,", ',', []string{"a", "", ""}},
		{"", ',', []string{""}},
	}
	for _, tc := range tests {
		if got := lenientSplit(tc.in, tc.delim, true); !slices.Equal(got, tc.want) {
			t.Errorf("lenientSplit(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}
