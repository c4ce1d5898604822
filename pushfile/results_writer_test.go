package pushfile

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// writeResults reads in and writes its results, each row getting res with
// the row's Detail.
func writeResults(t *testing.T, in string, res Result) string {
	t.Helper()
	r, err := Open(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var out bytes.Buffer
	w, err := NewResultsWriter(&out, r)
	if err != nil {
		t.Fatalf("NewResultsWriter: %v", err)
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		res := res
		if res.Detail == "" {
			res.Detail = row.Detail()
		}
		if err := w.Write(row, res); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return out.String()
}

func TestResultsWriter(t *testing.T) {
	const bom = "\uFEFF"
	tests := []struct {
		name string
		in   string
		res  Result
		want string
	}{
		{
			name: "rows echoed, results appended, BOM and CRLF",
			in:   "FirstName,LastName,Local ID,Organisation\nAnn,Smith,A1,rr8\n",
			res:  Result{Status: "PROCESSED_NEW", EmailAddress: "ann.smith@nhs.net", GeneratedPassword: "Xy7#abcd"},
			want: bom + "FirstName,LastName,Local ID,Organisation,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,A1,rr8,PROCESSED_NEW,,ann.smith@nhs.net,Xy7#abcd\r\n",
		},
		{
			name: "password never echoed",
			in:   "FirstName,LastName,Local ID,Organisation,Password\nAnn,Smith,A1,RR8,Secret-99\n",
			res:  Result{Status: "PROCESSED_NEW"},
			want: bom + "FirstName,LastName,Local ID,Organisation,Password,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,A1,RR8,,PROCESSED_NEW,,,\r\n",
		},
		{
			name: "formula cells escaped, phones not",
			in:   "FirstName,LastName,Local ID,Organisation,JobTitle,MobilePhone,OfficePhone\nAnn,Smith,@A1,RR8,=HYPERLINK(\"x\"),+44 7700 900123,-1+1\n",
			res:  Result{Status: "INVALID", Detail: "-detail", EmailAddress: "+x", GeneratedPassword: "=pw"},
			want: bom + "FirstName,LastName,Local ID,Organisation,JobTitle,MobilePhone,OfficePhone,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,'@A1,RR8,\"'=HYPERLINK(\"\"x\"\")\",+44 7700 900123,-1+1,INVALID,'-detail,'+x,'=pw\r\n",
		},
		{
			name: "non-phone in phone column escaped",
			in:   "FirstName,LastName,Local ID,Organisation,Fax\nAnn,Smith,A1,RR8,=1+2*A1\n",
			res:  Result{Status: "INVALID", Detail: "x"},
			want: bom + "FirstName,LastName,Local ID,Organisation,Fax,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,A1,RR8,'=1+2*A1,INVALID,x,,\r\n",
		},
		{
			name: "semicolons kept",
			in:   "FirstName;LastName;Local ID;Organisation\nAnn;Smith;A1;RR8\n",
			res:  Result{Status: "PROCESSED_NEW", Detail: "a;b"},
			want: bom + "FirstName;LastName;Local ID;Organisation;Result;Detail;EmailAddress;GeneratedPassword\r\n" +
				"Ann;Smith;A1;RR8;PROCESSED_NEW;\"a;b\";;\r\n",
		},
		{
			name: "tabs become commas",
			in:   "FirstName\tLastName\tLocal ID\tOrganisation\nAnn\tSmith\tA1\tRR8\n",
			res:  Result{Status: "PROCESSED_NEW"},
			want: bom + "FirstName,LastName,Local ID,Organisation,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,A1,RR8,PROCESSED_NEW,,,\r\n",
		},
		{
			name: "re-sent results columns replaced",
			in:   "FirstName,Result,LastName,Local ID,Organisation,Detail,EmailAddress,GeneratedPassword\nAnn,INVALID,Smith,A1,RR8,old detail,,\n",
			res:  Result{Status: "PROCESSED_UPDATED"},
			want: bom + "FirstName,LastName,Local ID,Organisation,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,A1,RR8,PROCESSED_UPDATED,,,\r\n",
		},
		{
			name: "short rows padded, extra cells dropped",
			in:   "FirstName,LastName,Local ID,Organisation\nAnn,Smith\nBob,Jones,A2,RR8,extra\n",
			res:  Result{Status: "S"},
			want: bom + "FirstName,LastName,Local ID,Organisation,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,,,S,Organisation: is required,,\r\n" +
				"Bob,Jones,A2,RR8,S,the row has 5 cells but the header has 4: remove the extra cells or add headings for them,,\r\n",
		},
		{
			name: "generated Local ID filled in",
			in:   "FirstName,LastName,Local ID,Organisation\nAnn,Smith,,RR8\n",
			res:  Result{Status: "PROCESSED_NEW", Detail: "Local ID generated: RR8-7K3M9Q2X4T", LocalID: "RR8-7K3M9Q2X4T"},
			want: bom + "FirstName,LastName,Local ID,Organisation,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,RR8-7K3M9Q2X4T,RR8,PROCESSED_NEW,Local ID generated: RR8-7K3M9Q2X4T,,\r\n",
		},
		{
			name: "generated Local ID filled into an NHSmail 1 Unique ID",
			in:   "Unique ID,Title,First Name,Last Name,Previous Family Name,Initials,Job Title,Department,Organisation Code,Organisation Site Code,GP Practice Code,Room,Telephone,Mobile,Fax,Pager,Web Page\n,,Ann,Smith,,,,,RR8,,,,,,,,\n",
			res:  Result{Status: "PROCESSED_NEW", LocalID: "RR8-7K3M9Q2X4T"},
			want: bom + "Unique ID,Title,First Name,Last Name,Previous Family Name,Initials,Job Title,Department,Organisation Code,Organisation Site Code,GP Practice Code,Room,Telephone,Mobile,Fax,Pager,Web Page,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"RR8-7K3M9Q2X4T,,Ann,Smith,,,,,RR8,,,,,,,,,PROCESSED_NEW,,,\r\n",
		},
		{
			name: "semicolon file: a comma cell quoted, so a comma-separator Excel cannot split off a formula",
			in:   "FirstName;LastName;Local ID;Organisation;JobTitle\nAnn;Smith;A1;RR8;x,=cmd|' /C calc'!A0\n",
			res:  Result{Status: "PROCESSED_NEW", Detail: "a,b"},
			want: bom + "FirstName;LastName;Local ID;Organisation;JobTitle;Result;Detail;EmailAddress;GeneratedPassword\r\n" +
				"Ann;Smith;A1;RR8;\"x,=cmd|' /C calc'!A0\";PROCESSED_NEW;\"a,b\";;\r\n",
		},
		{
			name: "comma file: semicolon and tab cells quoted",
			in:   "FirstName,LastName,Local ID,Organisation,JobTitle,Pager\nAnn,Smith,A1,RR8,x;=cmd|' /C calc'!A0,1\t=2\n",
			res:  Result{Status: "PROCESSED_NEW", Detail: "a;b\tc"},
			want: bom + "FirstName,LastName,Local ID,Organisation,JobTitle,Pager,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,A1,RR8,\"x;=cmd|' /C calc'!A0\",\"1\t=2\",PROCESSED_NEW,\"a;b\tc\",,\r\n",
		},
		{
			name: "tab file: a semicolon cell quoted in the comma results",
			in:   "FirstName\tLastName\tLocal ID\tOrganisation\tJobTitle\nAnn\tSmith\tA1\tRR8\tx;=1\n",
			res:  Result{Status: "S", Detail: "d"},
			want: bom + "FirstName,LastName,Local ID,Organisation,JobTitle,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,A1,RR8,\"x;=1\",S,d,,\r\n",
		},
		{
			name: "a line feed before a formula character",
			in:   "FirstName,LastName,Local ID,Organisation,JobTitle,Fax\nAnn,Smith,A1,RR8,\"\n=1+1\",\"\n\n@SUM(A1)\"\n",
			res:  Result{Status: "INVALID", Detail: "\n-x"},
			want: bom + "FirstName,LastName,Local ID,Organisation,JobTitle,Fax,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"Ann,Smith,A1,RR8,\"'\n=1+1\",\"'\n\n@SUM(A1)\",INVALID,\"'\n-x\",,\r\n",
		},
		{
			name: "full-width formula characters",
			in:   "FirstName,LastName,Local ID,Organisation,JobTitle,Fax\n＝1+1,＋Smith,－A1,RR8, ＠SUM(A1),＋44 1\n",
			res:  Result{Status: "INVALID", Detail: "＝x"},
			want: bom + "FirstName,LastName,Local ID,Organisation,JobTitle,Fax,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"'＝1+1,'＋Smith,'－A1,RR8,' ＠SUM(A1),'＋44 1,INVALID,'＝x,,\r\n",
		},
		{
			name: "apostrophe cells kept",
			in:   "FirstName,LastName,Local ID,Organisation\n''Ann,Smith,A1,RR8\n",
			res:  Result{Status: "S"},
			want: bom + "FirstName,LastName,Local ID,Organisation,Result,Detail,EmailAddress,GeneratedPassword\r\n" +
				"''Ann,Smith,A1,RR8,S,,,\r\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := writeResults(t, tc.in, tc.res); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

// TestResultsRoundTrip writes results and reads them back: every cell comes
// back as it was read, and the row checks the same.
func TestResultsRoundTrip(t *testing.T) {
	for _, in := range []string{
		"FirstName,LastName,Local ID,Organisation,JobTitle,OfficePhone,Title\n" +
			"Ann,Smith,=A1,RR8,-Head-,+44 113 1234,Dr\n" +
			"'Bob,@Jones,'A2,RR8,\"multi\nline\",=1+1,\n" +
			"Cat,\"Br,own\",A3,RR8,'+plus,(0113) 1,'Mrs\n" +
			"Dan,Br;own,A4,RR8,\"\n=1+1\",＋44 1,\n" +
			"＝Eve,Smith,A5,RR8,x\t=cmd,\"\n\n@x\",\n",
		"FirstName;LastName;Local ID;Organisation;JobTitle;OfficePhone;Title\n" +
			"Ann;Smith;A1;RR8;x,=cmd|' /C calc'!A0;+44 113 1234;Dr\n" +
			"Bob;Jones;A2;RR8;\"\n＠SUM(1)\";－1;\n",
	} {
		roundTrip(t, in)
	}
}

func roundTrip(t *testing.T, in string) {
	t.Helper()
	first := mustReadAll(t, in, Options{})
	results := writeResults(t, in, Result{Status: "INVALID", Detail: "=bad"})
	again := mustReadAll(t, results, Options{})
	if len(again) != len(first) {
		t.Fatalf("got %d rows back, want %d", len(again), len(first))
	}
	for i := range first {
		n := len(first[i].Cells)
		if got := again[i].Cells[:n]; !slices.Equal(got, first[i].Cells) {
			t.Errorf("row %d: got cells %q back, want %q", i, got, first[i].Cells)
		}
		if again[i].Value != first[i].Value || again[i].Detail != first[i].Detail {
			t.Errorf("row %d: got %q %q back, want %q %q", i, again[i].Value, again[i].Detail, first[i].Value, first[i].Detail)
		}
		if got := again[i].Cells[n+1]; got != "=bad" {
			t.Errorf("row %d: got detail cell %q back, want %q", i, got, "=bad")
		}
	}
}

func TestEscapeCell(t *testing.T) {
	tests := map[string]string{
		"":         "",
		"Ann":      "Ann",
		"=1+1":     "'=1+1",
		"+1":       "'+1",
		"-1":       "'-1",
		"@SUM(1)":  "'@SUM(1)",
		"\tx":      "'\tx",
		"\rx":      "'\rx",
		"  =x":     "'  =x",
		"'x":       "''x",
		"a=b":      "a=b",
		"   ":      "   ",
		"\n=1":     "'\n=1",
		" \n \n+1": "' \n \n+1",
		"\r\n=1":   "'\r\n=1",
		"\nAnn":    "\nAnn",
		"\n":       "\n",
		"＝1":       "'＝1",
		"＋1":       "'＋1",
		"－1":       "'－1",
		"＠x":       "'＠x",
		" ＝1":      "' ＝1",
		"ｘ":        "ｘ",
		"\uFEFF=":  "\uFEFF=",
	}
	for in, want := range tests {
		if got := escapeCell(in); got != want {
			t.Errorf("escapeCell(%q): got %q, want %q", in, got, want)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDisk }

func TestResultsWriterErrors(t *testing.T) {
	r, err := Open(strings.NewReader("FirstName,LastName,Local ID,Organisation\nAnn,Smith,A1,RR8\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewResultsWriter(failingWriter{}, r); !errors.Is(err, errDisk) {
		t.Errorf("got %v, want the write error", err)
	}
}
